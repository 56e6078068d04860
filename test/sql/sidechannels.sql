-- sidechannels: no hidden value in error messages (constraint details, also
-- read in PL/pgSQL), in statistics, or in errors raised while computing.
\set SHOW_CONTEXT never

CREATE TABLE public.accounts (
	id int PRIMARY KEY,
	name text,
	ssn text UNIQUE,
	score int CHECK (score < 100),
	code text
);
CREATE UNIQUE INDEX accounts_name_code ON public.accounts (name, code);
INSERT INTO public.accounts SELECT i, 'n' || i, 'SSN-' || i, i, 'C' || (i % 3)
  FROM generate_series(1, 50) i;
CREATE STATISTICS public.accounts_stats (mcv) ON name, code FROM public.accounts;
ANALYZE public.accounts;
CREATE ROLE regress_sub LOGIN;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.accounts TO regress_sub;
SELECT count(*) FROM (
	SELECT flp.protect('accounts')
	UNION ALL SELECT flp.exclude_field('accounts', 'id')
	UNION ALL SELECT flp.create_bundle('Sub')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'ssn', 'hide')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'code', 'hide')
	UNION ALL SELECT flp.assign('Sub', 'regress_sub')) s;

-- a super admin gets PostgreSQL's usual details
\set VERBOSITY default
INSERT INTO accounts (id, name) VALUES (1, 'x');
UPDATE accounts SET name = 'n4' WHERE id = 1;

SET ROLE regress_sub;
-- "Key (...)=(...)" and "Failing row contains (...)" are not shown
INSERT INTO accounts (id, name) VALUES (1, 'x');
UPDATE accounts SET name = 'n4' WHERE id = 1;
UPDATE accounts SET score = 500 WHERE id = 1;
INSERT INTO accounts (id, name, score) VALUES (99, 'x', 1000);
-- not even when caught in PL/pgSQL
DO $$
DECLARE
	d text;
BEGIN
	UPDATE accounts SET name = 'n4' WHERE id = 1;
EXCEPTION WHEN unique_violation THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RAISE NOTICE 'caught, detail: [%]', d;
END $$;
\set VERBOSITY terse

-- errors while computing on a hidden value see the mask
SELECT ssn::int FROM accounts WHERE id = 1;
SELECT to_date(ssn, 'YYYY') FROM accounts WHERE id = 1;
SELECT regress.why($$SELECT 1 / length(ssn) FROM accounts WHERE id = 1$$);

-- statistics of the table are not shown to subjects
SELECT attname, most_common_vals IS NOT NULL AS mcv, histogram_bounds IS NOT NULL AS hist
  FROM pg_stats WHERE tablename = 'accounts' ORDER BY attname;
SELECT statistics_name FROM pg_stats_ext WHERE tablename = 'accounts';
-- a foreign key onto a hidden field would tell whether a value exists
RESET ROLE;
GRANT REFERENCES ON public.accounts TO regress_sub;
CREATE SCHEMA regress_sub_own AUTHORIZATION regress_sub;
SET ROLE regress_sub;
SELECT regress.why($$CREATE TABLE regress_sub_own.t (c text REFERENCES public.accounts (ssn))$$);
SELECT regress.why($$CREATE TABLE regress_sub_own.t (c text, FOREIGN KEY (c) REFERENCES public.accounts (ssn))$$);
CREATE TABLE regress_sub_own.t (c text, i int REFERENCES public.accounts);   -- the (excluded) key
SELECT regress.why($$ALTER TABLE regress_sub_own.t ADD FOREIGN KEY (c) REFERENCES public.accounts (code) NOT VALID$$);
SELECT regress.why($$ALTER TABLE regress_sub_own.t ADD COLUMN d text REFERENCES public.accounts (ssn)$$);
-- its own row-level security policies are not trusted with hidden fields
SELECT regress.why($$ALTER TABLE regress_sub_own.t ENABLE ROW LEVEL SECURITY$$);
SELECT regress.why($$ALTER TABLE regress_sub_own.t FORCE ROW LEVEL SECURITY$$);
SELECT regress.why($$CREATE POLICY p ON regress_sub_own.t
	USING (EXISTS (SELECT 1 FROM public.accounts a WHERE a.ssn = c))$$);
SELECT regress.why($$INSERT INTO regress_sub_own.t VALUES ('SSN-1')$$);
SELECT regress.why($$SELECT c FROM regress_sub_own.t$$);
DROP TABLE regress_sub_own.t;
-- EXPLAIN (class 5): refused to subjects by default (plans count rows and
-- estimate values they may not see) ...
SELECT regress.why($$EXPLAIN SELECT id FROM accounts WHERE id = 1$$);
SELECT regress.why($$EXPLAIN (ANALYZE) SELECT id FROM accounts WHERE name >= 'M'$$);
SELECT regress.why($$EXPLAIN SELECT * FROM (SELECT * FROM accounts) s$$);
EXPLAIN (COSTS OFF) SELECT 1;			-- not a governed read: as usual
SELECT regress.why($$SET flp.subject_explain = 'full'$$);
RESET ROLE;
-- ... 'plan': the shape only, masks and all, no figures, no ANALYZE ...
SET flp.subject_explain = 'plan';
SET ROLE regress_sub;
EXPLAIN (VERBOSE) SELECT id, ssn, code FROM accounts WHERE id = 1;
SELECT regress.why($$EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM accounts$$);
-- EXPLAIN EXECUTE of a prepared statement (explained without the hook): the same rules
PREPARE acc AS SELECT id FROM accounts WHERE id = 1;
SELECT regress.why($$EXPLAIN EXECUTE acc$$);
SELECT regress.why($$EXPLAIN (ANALYZE, COSTS OFF) EXECUTE acc$$);
EXPLAIN (COSTS OFF) EXECUTE acc;
RESET ROLE;
RESET flp.subject_explain;
SET ROLE regress_sub;
SELECT regress.why($$EXPLAIN (COSTS OFF) EXECUTE acc$$);
DEALLOCATE acc;
RESET ROLE;
SET flp.subject_explain = 'plan';
-- ... 'full': PostgreSQL's EXPLAIN, figures and all (regress.analyzed: the
-- plan of EXPLAIN ANALYZE, its row counts in whole numbers on every version)
CREATE FUNCTION regress.analyzed(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, BUFFERS OFF) ' || query
	LOOP
		RETURN NEXT regexp_replace(line, 'rows=([0-9]+)\.00', 'rows=\1');
	END LOOP;
END $$;
SET flp.subject_explain = 'full';
SET ROLE regress_sub;
SELECT regress.analyzed('SELECT id FROM accounts WHERE id = 1');
RESET ROLE;
RESET flp.subject_explain;
-- super admins: always
SELECT regress.analyzed('SELECT id FROM accounts WHERE id = 1');

-- a super admin sees the statistics
SELECT attname, most_common_vals IS NOT NULL OR histogram_bounds IS NOT NULL AS has_stats
  FROM pg_stats WHERE tablename = 'accounts' ORDER BY attname;

SELECT statistics_name, most_common_vals IS NOT NULL AS has_mcv
  FROM pg_stats_ext WHERE tablename = 'accounts';

-- sequences that fill hidden fields (class 9): a subject inserts with the
-- table's defaults, but no use of the sequence tells it the hidden value
CREATE TABLE public.tickets (id int PRIMARY KEY, title text, seqno serial,
							 code int GENERATED BY DEFAULT AS IDENTITY, other int);
CREATE SEQUENCE public.other_seq;
GRANT SELECT, INSERT ON public.tickets TO regress_sub;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.tickets_seqno_seq, public.tickets_code_seq,
	public.other_seq TO regress_sub;
SELECT flp.protect('tickets');
SELECT flp.set_permission('Sub', 'tickets', NULL, 'edit');
SELECT flp.set_permission('Sub', 'tickets', 'seqno', 'hide');
SELECT flp.set_permission('Sub', 'tickets', 'code', 'hide');
SET ROLE regress_sub;
INSERT INTO tickets (id, title) VALUES (1, 'one') RETURNING id, seqno, code;
SELECT regress.why($$SELECT currval('tickets_seqno_seq')$$);
SELECT regress.why($$SELECT currval('tickets_code_seq')$$);
SELECT regress.why($$SELECT lastval()$$);
SELECT regress.why($$SELECT nextval('tickets_seqno_seq')$$);
SELECT regress.why($$SELECT setval('tickets_seqno_seq', 100)$$);
SELECT regress.why($$SELECT last_value FROM tickets_seqno_seq$$);
SELECT regress.why($$SELECT currval(('tickets_' || 'seqno_seq')::regclass)$$);
-- nor through defaults of other tables, evaluated by INSERT, COPY or DDL
RESET ROLE;
CREATE TABLE public.mine (a int DEFAULT nextval('tickets_code_seq'), b text);
GRANT INSERT ON public.mine TO regress_sub;
SET ROLE regress_sub;
SELECT regress.why($$INSERT INTO mine (b) VALUES ('x')$$);
\copy mine (b) from '/dev/null'
SELECT regress.why($$CREATE TEMP TABLE mine2 (a int DEFAULT nextval('tickets_seqno_seq'))$$);
SELECT regress.why($$CREATE DOMAIN pg_temp.dd AS int DEFAULT nextval('tickets_seqno_seq')$$);
-- nor wrapped in a SQL function PostgreSQL would inline, nor in a partition bound
CREATE FUNCTION pg_temp.wrap() RETURNS bigint LANGUAGE sql AS $$ SELECT currval('tickets_seqno_seq') $$;
SELECT regress.why($$SELECT pg_temp.wrap()$$);
CREATE TEMP TABLE parted (a bigint) PARTITION BY LIST (a);
SELECT regress.why($$CREATE TEMP TABLE parted1 PARTITION OF parted FOR VALUES IN (currval('tickets_seqno_seq'))$$);
DROP TABLE parted;
DROP FUNCTION pg_temp.wrap();
CREATE TEMP TABLE mine3 (b text);
INSERT INTO mine3 VALUES ('x');
SELECT regress.why($$ALTER TABLE mine3 ADD COLUMN a int DEFAULT nextval('tickets_seqno_seq')$$);
DROP TABLE mine3;
-- other sequences as usual; a sequence named at run time only where none fills a hidden field
INSERT INTO tickets (id, title, other) VALUES (2, 'two', nextval('other_seq')) RETURNING id, other;
SELECT currval('other_seq');
RESET ROLE;
SELECT flp.set_permission('Sub', 'tickets', 'seqno', 'read');
SELECT flp.set_permission('Sub', 'tickets', 'code', 'read');
SET ROLE regress_sub;
SELECT currval('tickets_seqno_seq') AS seqno, lastval() AS last;
RESET ROLE;
SELECT flp.unprotect('tickets');
DROP TABLE public.tickets, public.mine;
DROP SEQUENCE public.other_seq;

-- clean up
DROP SCHEMA regress_sub_own;
SELECT count(*) FROM (SELECT flp.unprotect('accounts') UNION ALL SELECT flp.drop_bundle('Sub')) s;
DROP TABLE public.accounts;
DROP ROLE regress_sub;
