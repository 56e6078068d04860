-- test/bench/catalog.sql: part 2 of the benchmark, the catalog at scale.
--
-- Fills flp's catalog with :roles roles (default 10,000) in 100 group roles,
-- 1,000 bundles, 100 governed tables of 50 columns, 100,000 field settings
-- and 300 criteria rules, then reports:
--   cold resolution of one (role, table): p50 / p99 over 1,000 new roles
--   warm lookups (the same again, from the per-session cache)
--   planning time of a simple query on a governed and an ungoverned table
--   the memory of the session's caches
-- Timings include the SQL call of flp.effective() (an upper bound).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS benchcat CASCADE;
CREATE SCHEMA benchcat;
GRANT USAGE ON SCHEMA benchcat TO PUBLIC;
SELECT set_config('benchcat.roles', :'roles', false);

DO $$
DECLARE
	cols text := (SELECT string_agg('c' || j || ' text', ', ') FROM generate_series(1, 50) j);
	nroles int := current_setting('benchcat.roles')::int;
BEGIN
	FOR i IN 1..100 LOOP
		EXECUTE format('CREATE TABLE benchcat.t%s (id int PRIMARY KEY, %s)', i, cols);
		EXECUTE format('INSERT INTO benchcat.t%s (id, c1) VALUES (1, ''x'')', i);
		EXECUTE format('GRANT SELECT ON benchcat.t%s TO PUBLIC', i);
		PERFORM flp.protect(format('benchcat.t%s', i)::regclass);
		PERFORM flp.exclude_field(format('benchcat.t%s', i)::regclass, 'id');
	END LOOP;
	EXECUTE format('CREATE TABLE benchcat.u (id int PRIMARY KEY, %s)', cols);
	INSERT INTO benchcat.u (id, c1) VALUES (1, 'x');
	GRANT SELECT ON benchcat.u TO PUBLIC;
	FOR g IN 1..100 LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'benchcat_g' || g) THEN
			EXECUTE format('CREATE ROLE benchcat_g%s NOLOGIN', g);
		END IF;
	END LOOP;
	FOR r IN 1..nroles LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'benchcat_r' || r) THEN
			EXECUTE format('CREATE ROLE benchcat_r%s IN ROLE benchcat_g%s, benchcat_g%s',
						   r, r % 100 + 1, (r * 7) % 100 + 1);
		END IF;
	END LOOP;
END $$;

-- 1,000 bundles, each granting 10 tables with 10 field settings each
INSERT INTO flp.bundle (name) SELECT 'benchcat_b' || i FROM generate_series(1, 1000) i;
INSERT INTO flp.table_permission
SELECT 'benchcat_b' || b, format('benchcat.t%s', (b * 10 + t) % 100 + 1)::regclass, 'edit'
  FROM generate_series(1, 1000) b, generate_series(0, 9) t
ON CONFLICT DO NOTHING;
INSERT INTO flp.field_permission
SELECT tp.bundle, tp.tbl, 'c' || f, (ARRAY['hide', 'read', 'edit']::flp.permission[])[f % 3 + 1]
  FROM flp.table_permission tp, generate_series(1, 10) f
 WHERE tp.bundle LIKE 'benchcat_b%';
INSERT INTO flp.assignment
SELECT 'benchcat_b' || b, ('benchcat_g' || (b % 100 + 1))::regrole FROM generate_series(1, 1000) b;
INSERT INTO flp.rule (bundle, criteria)
SELECT 'benchcat_b' || (b * 3), jsonb_build_object('k', b % 50) FROM generate_series(1, 300) b;
INSERT INTO flp.registered_user
SELECT ('benchcat_r' || r)::regrole, 'full', jsonb_build_object('k', r % 50)
  FROM generate_series(1, current_setting('benchcat.roles')::int) r;

SELECT (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'benchcat_%') AS roles,
	   (SELECT count(*) FROM flp.bundle WHERE name LIKE 'benchcat_b%') AS bundles,
	   (SELECT count(*) FROM flp.governed_table WHERE tbl::text LIKE 'benchcat.%') AS tables,
	   (SELECT count(*) FROM flp.field_permission WHERE bundle LIKE 'benchcat_b%') AS field_settings,
	   (SELECT count(*) FROM flp.rule WHERE bundle LIKE 'benchcat_b%') AS rules;

CREATE FUNCTION pg_temp.pct(xs float8[], p float8) RETURNS float8 LANGUAGE sql AS
	'SELECT percentile_cont(p) WITHIN GROUP (ORDER BY x) FROM unnest(xs) x';

CREATE TEMP TABLE timings (what text, p50_us numeric, p99_us numeric);
GRANT ALL ON timings TO PUBLIC;
DO $$
DECLARE
	cold float8[] := '{}';
	warm float8[] := '{}';
	t0 timestamptz;
	n int := least(1000, current_setting('benchcat.roles')::int);
	r regrole;
	t regclass;
BEGIN
	FOR i IN 1..n LOOP
		r := ('benchcat_r' || i)::regrole;
		t := format('benchcat.t%s', i % 100 + 1)::regclass;
		t0 := clock_timestamp();
		PERFORM flp.effective(t, 'c7', r);
		cold := cold || extract(epoch FROM clock_timestamp() - t0) * 1e6;
	END LOOP;
	FOR i IN 1..n LOOP
		r := ('benchcat_r' || i)::regrole;
		t := format('benchcat.t%s', i % 100 + 1)::regclass;
		t0 := clock_timestamp();
		PERFORM flp.effective(t, 'c7', r);
		warm := warm || extract(epoch FROM clock_timestamp() - t0) * 1e6;
	END LOOP;
	INSERT INTO timings VALUES
		('cold resolution of one (role, table), incl. the call', pg_temp.pct(cold, 0.5), pg_temp.pct(cold, 0.99)),
		('warm lookup, incl. the call', pg_temp.pct(warm, 0.5), pg_temp.pct(warm, 0.99));
END $$;

-- planning time as a subject: a governed table and an ungoverned one of the same shape
-- planning times come from EXPLAIN (SUMMARY), which subjects get only with 'full'
SET flp.subject_explain = 'full';
SET ROLE benchcat_r1;
DO $$
DECLARE
	gov float8[] := '{}';
	ungov float8[] := '{}';
	plan json;
BEGIN
	FOR i IN 1..300 LOOP
		EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) SELECT * FROM benchcat.t1 WHERE id = 1' INTO plan;
		gov := gov || ((plan -> 0 ->> 'Planning Time')::float8 * 1000);
		EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) SELECT * FROM benchcat.u WHERE id = 1' INTO plan;
		ungov := ungov || ((plan -> 0 ->> 'Planning Time')::float8 * 1000);
	END LOOP;
	INSERT INTO timings VALUES
		('planning SELECT * ... WHERE id = 1, governed (50 columns)', pg_temp.pct(gov, 0.5), pg_temp.pct(gov, 0.99)),
		('planning SELECT * ... WHERE id = 1, ungoverned', pg_temp.pct(ungov, 0.5), pg_temp.pct(ungov, 0.99));
END $$;
RESET ROLE;

SELECT what, round(p50_us, 1) AS "p50 (µs)", round(p99_us, 1) AS "p99 (µs)" FROM timings;
SELECT name, pg_size_pretty(sum(total_bytes)) AS memory
  FROM pg_backend_memory_contexts WHERE name LIKE 'flp%' GROUP BY name ORDER BY name;

-- clean up the catalog (the cluster is thrown away anyway)
DELETE FROM flp.registered_user WHERE role::text LIKE 'benchcat_%';
DELETE FROM flp.bundle WHERE name LIKE 'benchcat_b%';
SELECT count(*) AS unprotected FROM (SELECT flp.unprotect(tbl) FROM flp.governed_table WHERE tbl::text LIKE 'benchcat.%') s;
