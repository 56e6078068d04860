-- test/bench/reports.sql: the reporting benchmark's schema (test/bench/reports.sh),
-- loaded once as a superuser.
--
-- Every governed relation has an ungoverned twin of the same shape and data,
-- read by the same role, so that a ratio compares only flp:
--   rep.g1                a fact table of 10,000 rows: id, d2 .. d16 (keys of
--                         the dimensions), c1 .. c4
--   rep.g2 .. rep.g16     governed dimensions of 1,000 rows: id, c1 .. c19
--                         (20 columns each); for rep_user and rep_many c1, c2
--                         are hidden and c3, c4 read-only in every table
--   rep.p1 .. rep.p16     their plain twins
--   rep.gpart, rep.ppart  1,000 list partitions (k = id % 1000), governed / plain
--   rep.m1 .. rep.m100    100 governed tables of 50 columns (c1 .. c5 hidden),
--   rep.n1 .. rep.n100    and their plain twins, for the backend's memory
--   rep.other             a governed table no workload reads: the invalidations
--                         change its settings
-- Bundles: "rep" grants every governed table (rep_user and rep_many hold it);
-- "rep_b1" .. "rep_b99" grant rep.g1 too and are assigned to rep_many, which
-- so has 100 applicable bundles.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS flp;
DROP SCHEMA IF EXISTS rep CASCADE;
SELECT flp.drop_bundle(b.name) FROM flp.bundle b WHERE b.name ~ '^rep(_b[0-9]+)?$';
CREATE SCHEMA rep;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rep_user') THEN
		CREATE ROLE rep_user LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rep_many') THEN
		CREATE ROLE rep_many LOGIN;
	END IF;
END $$;
GRANT USAGE ON SCHEMA rep TO rep_user, rep_many;
SELECT flp.create_bundle('rep');
SELECT flp.assign('rep', 'rep_user'), flp.assign('rep', 'rep_many');

DO $$
DECLARE
	cols text := (SELECT string_agg(format('c%s text', j), ', ') FROM generate_series(1, 18) j);
	vals text := (SELECT string_agg(format('''v%s_'' || (g %% 97)', j), ', ') FROM generate_series(1, 18) j);
	dcols text := (SELECT string_agg(format('c%s text', j), ', ') FROM generate_series(1, 19) j);
	dvals text := (SELECT string_agg(format('''v%s_'' || (g %% 97)', j), ', ') FROM generate_series(1, 19) j);
	fcols text := (SELECT string_agg(format('d%s int', j), ', ') FROM generate_series(2, 16) j);
	fvals text := (SELECT string_agg(format('(g * %s) %% 1000 + 1', j), ', ') FROM generate_series(2, 16) j);
	kind text;
BEGIN
	FOREACH kind IN ARRAY ARRAY['g', 'p'] LOOP
		-- the fact table: id, d2 .. d16 (keys of the dimensions), c1 .. c4
		EXECUTE format('CREATE TABLE rep.%s1 (id int PRIMARY KEY, %s, c1 text, c2 text, c3 text, c4 text)',
					   kind, fcols);
		EXECUTE format('INSERT INTO rep.%s1 SELECT g, %s, ''a'' || g, ''b'' || g, ''c'' || g, ''d'' || g '
					   'FROM generate_series(1, 10000) g', kind, fvals);
		-- the dimensions: id, c1 .. c19
		FOR i IN 2..16 LOOP
			EXECUTE format('CREATE TABLE rep.%s%s (id int PRIMARY KEY, %s)', kind, i, dcols);
			EXECUTE format('INSERT INTO rep.%s%s SELECT g, %s FROM generate_series(1, 1000) g', kind, i, dvals);
		END LOOP;
		FOR i IN 1..16 LOOP
			EXECUTE format('GRANT SELECT, UPDATE ON rep.%s%s TO rep_user, rep_many', kind, i);
		END LOOP;
	END LOOP;
	FOR i IN 1..16 LOOP
		PERFORM flp.protect(format('rep.g%s', i)::regclass, 'hide');
		PERFORM flp.set_permission('rep', format('rep.g%s', i)::regclass, NULL, 'edit');
		PERFORM flp.set_permission('rep', format('rep.g%s', i)::regclass, ARRAY['c1', 'c2']::name[], 'hide');
		PERFORM flp.set_permission('rep', format('rep.g%s', i)::regclass, ARRAY['c3', 'c4']::name[], 'read');
	END LOOP;

	-- 1,000 partitions
	FOREACH kind IN ARRAY ARRAY['g', 'p'] LOOP
		EXECUTE format('CREATE TABLE rep.%spart (id int NOT NULL, k int NOT NULL, %s) PARTITION BY LIST (k)',
					   kind, cols);
		FOR j IN 0..999 LOOP
			EXECUTE format('CREATE TABLE rep.%spart_%s PARTITION OF rep.%spart FOR VALUES IN (%s)', kind, j, kind, j);
		END LOOP;
		EXECUTE format('INSERT INTO rep.%spart SELECT g, g %% 1000, %s FROM generate_series(1, 10000) g', kind, vals);
		EXECUTE format('CREATE INDEX ON rep.%spart (id)', kind);
		EXECUTE format('GRANT SELECT ON rep.%spart TO rep_user, rep_many', kind);
	END LOOP;
	PERFORM flp.protect('rep.gpart', 'hide');
	PERFORM flp.set_permission('rep', 'rep.gpart', NULL, 'edit');
	PERFORM flp.set_permission('rep', 'rep.gpart', ARRAY['c1', 'c2']::name[], 'hide');

	-- the table whose settings the invalidations change
	EXECUTE format('CREATE TABLE rep.other (id int PRIMARY KEY, %s)', cols);
	PERFORM flp.protect('rep.other', 'hide');
	PERFORM flp.set_permission('rep', 'rep.other', NULL, 'edit');

	-- for the memory: 100 governed tables of 50 columns (c1 .. c5 hidden) and
	-- 100 plain ones
	FOR i IN 1..100 LOOP
		FOREACH kind IN ARRAY ARRAY['m', 'n'] LOOP
			EXECUTE format('CREATE TABLE rep.%s%s (id int PRIMARY KEY, %s)', kind, i,
						   (SELECT string_agg(format('c%s text', j), ', ') FROM generate_series(1, 49) j));
			EXECUTE format('INSERT INTO rep.%s%s (id, c1) VALUES (1, ''x'')', kind, i);
			EXECUTE format('GRANT SELECT ON rep.%s%s TO rep_user, rep_many', kind, i);
		END LOOP;
		PERFORM flp.protect(format('rep.m%s', i)::regclass, 'hide');
		PERFORM flp.set_permission('rep', format('rep.m%s', i)::regclass, NULL, 'edit');
		PERFORM flp.set_permission('rep', format('rep.m%s', i)::regclass,
								   ARRAY['c1', 'c2', 'c3', 'c4', 'c5']::name[], 'hide');
	END LOOP;

	-- 99 more bundles for rep_many, each granting rep.g1 with a few field settings
	FOR b IN 1..99 LOOP
		PERFORM flp.create_bundle(format('rep_b%s', b));
		PERFORM flp.set_permission(format('rep_b%s', b), 'rep.g1', NULL, 'edit');
		PERFORM flp.set_permission(format('rep_b%s', b), 'rep.g1', ARRAY['c1', 'c2']::name[], 'hide');
		PERFORM flp.set_permission(format('rep_b%s', b), 'rep.g1', format('d%s', 2 + b % 15)::name, 'read');
		PERFORM flp.assign(format('rep_b%s', b), 'rep_many');
	END LOOP;
END $$;
VACUUM ANALYZE;
