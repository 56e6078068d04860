-- test/bench/schema.sql: the benchmark's data, loaded once (as a superuser).
--
-- Every contender reads a copy of the same 1M-row table, as the same role
-- (bench_user), so that the ratios compare only what differs:
--   plain_accounts     not governed: the limit
--   gov_accounts       governed by flp: ssn and email hidden, arr read-only
--   plain_accounts through masking_view: a hand-written masking view
--   floor_accounts     the floor of constant masks behind an RLS guard (below)
--   projection_accounts, guard_accounts   the floor's two parts on their own
--   gov_accounts read by bench_edit: governed, nothing hidden from the reader
-- and for partner rows, read by bench_partner:
--   plain_accounts     not scoped: the limit
--   scoped_accounts    governed and partner-scoped by flp, 10,000 assignments
--   rls_accounts       a hand-written RLS policy doing the same scoping
\set ON_ERROR_STOP 1
-- rows: psql -v rows=N (the harnesses pass it), else 1,000,000
\if :{?rows}
\else
\set rows 1000000
\endif

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS flp;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_user') THEN
		CREATE ROLE bench_user LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_partner') THEN
		CREATE ROLE bench_partner LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_edit') THEN
		CREATE ROLE bench_edit LOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_unmasked') THEN
		CREATE ROLE bench_unmasked NOLOGIN;
	END IF;
END $$;

CREATE TABLE bench.plain_accounts (
	id int PRIMARY KEY,
	company_id int NOT NULL,
	name text NOT NULL,
	email text,
	ssn text,
	arr numeric(12, 2),
	region text,
	note text
);
INSERT INTO bench.plain_accounts
SELECT i, i % 1000 + 1, 'account ' || i, 'user' || i || '@example.com',
	   lpad((i::bigint * 7919 % 1000000000)::text, 9, '0'), (i % 100000) * 1.5,
	   (ARRAY['emea', 'na', 'apac'])[i % 3 + 1], 'note'
  FROM generate_series(1, :rows) i;
CREATE INDEX ON bench.plain_accounts (company_id);
CREATE TABLE bench.gov_accounts (LIKE bench.plain_accounts INCLUDING ALL);
INSERT INTO bench.gov_accounts SELECT * FROM bench.plain_accounts;
CREATE TABLE bench.scoped_accounts (LIKE bench.plain_accounts INCLUDING ALL);
INSERT INTO bench.scoped_accounts SELECT * FROM bench.plain_accounts;
CREATE TABLE bench.rls_accounts (LIKE bench.plain_accounts INCLUDING ALL);
INSERT INTO bench.rls_accounts SELECT * FROM bench.plain_accounts;
-- The floor of any design that masks with constants at plan time behind a
-- fail-closed row-level security guard: the same rows with '****' stored in
-- the columns flp hides (the same output), a dropped column that still holds
-- the bytes taken out of them (rows as wide as gov_accounts', so that random
-- reads touch as much memory; and a dropped column makes the executor project
-- each row instead of passing the scan's tuple on, as it must when masks are
-- constants) and a restrictive and a permissive policy that let every row
-- through (what flp's guard costs the rewriter).  flp next to it is what
-- flp's own code costs.
CREATE TABLE bench.floor_accounts (LIKE bench.plain_accounts INCLUDING ALL);
ALTER TABLE bench.floor_accounts ADD COLUMN pad text;
INSERT INTO bench.floor_accounts
SELECT id, company_id, name, '****', '****', arr, region, note,
	   repeat('x', length(email) + length(ssn) - 9)		-- 8 bytes of masks, 1 of pad's header
  FROM bench.plain_accounts;
ALTER TABLE bench.floor_accounts DROP COLUMN pad;
ALTER TABLE bench.floor_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY guard ON bench.floor_accounts AS RESTRICTIVE USING (true) WITH CHECK (true);
CREATE POLICY open ON bench.floor_accounts AS PERMISSIVE USING (true) WITH CHECK (true);
-- The floor's two parts, each on its own: the projection (floor's rows and
-- dropped column, no row-level security) and the guard (plain rows behind
-- the floor's two always-true policies, no projection).
CREATE TABLE bench.projection_accounts (LIKE bench.plain_accounts INCLUDING ALL);
ALTER TABLE bench.projection_accounts ADD COLUMN pad text;
INSERT INTO bench.projection_accounts
SELECT id, company_id, name, '****', '****', arr, region, note,
	   repeat('x', length(email) + length(ssn) - 9)
  FROM bench.plain_accounts;
ALTER TABLE bench.projection_accounts DROP COLUMN pad;
CREATE TABLE bench.guard_accounts (LIKE bench.plain_accounts INCLUDING ALL);
INSERT INTO bench.guard_accounts SELECT * FROM bench.plain_accounts;
ALTER TABLE bench.guard_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY guard ON bench.guard_accounts AS RESTRICTIVE USING (true) WITH CHECK (true);
CREATE POLICY open ON bench.guard_accounts AS PERMISSIVE USING (true) WITH CHECK (true);

-- the three-table report: companies, accounts, opportunities
CREATE TABLE bench.plain_companies (id int PRIMARY KEY, name text, tax_id text, segment text);
INSERT INTO bench.plain_companies
SELECT i, 'company ' || i, 'TAX' || i, (ARRAY['smb', 'mid', 'ent'])[i % 3 + 1]
  FROM generate_series(1, 1000) i;
CREATE TABLE bench.plain_opportunities (id int PRIMARY KEY, account_id int NOT NULL,
										amount numeric(12, 2), discount numeric(5, 2), stage text);
INSERT INTO bench.plain_opportunities
SELECT i, (i * 13) % :rows + 1, i % 50000, i % 30, (ARRAY['open', 'won', 'lost'])[i % 3 + 1]
  FROM generate_series(1, 200000) i;
CREATE INDEX ON bench.plain_opportunities (account_id);
CREATE TABLE bench.gov_companies (LIKE bench.plain_companies INCLUDING ALL);
INSERT INTO bench.gov_companies SELECT * FROM bench.plain_companies;
CREATE TABLE bench.gov_opportunities (LIKE bench.plain_opportunities INCLUDING ALL);
INSERT INTO bench.gov_opportunities SELECT * FROM bench.plain_opportunities;

CREATE VIEW bench.plain_report AS
	SELECT c.id AS company_id, c.name AS company, c.tax_id, a.id AS account_id, a.name,
		   a.ssn, a.arr, o.amount, o.discount, o.stage
	  FROM bench.plain_companies c
	  JOIN bench.plain_accounts a ON a.company_id = c.id
	  JOIN bench.plain_opportunities o ON o.account_id = a.id;
CREATE VIEW bench.gov_report AS
	SELECT c.id AS company_id, c.name AS company, c.tax_id, a.id AS account_id, a.name,
		   a.ssn, a.arr, o.amount, o.discount, o.stage
	  FROM bench.gov_companies c
	  JOIN bench.gov_accounts a ON a.company_id = c.id
	  JOIN bench.gov_opportunities o ON o.account_id = a.id;

-- what a DBA would otherwise write: a masking view
CREATE VIEW bench.masking_view AS
	SELECT id, company_id, name,
		   CASE WHEN pg_has_role(current_user, 'bench_unmasked', 'member') THEN email ELSE '****' END AS email,
		   CASE WHEN pg_has_role(current_user, 'bench_unmasked', 'member') THEN ssn ELSE '****' END AS ssn,
		   arr, region, note
	  FROM bench.plain_accounts;

-- flp: bench_user may edit the accounts but for a hidden ssn and email and a
-- read-only arr; the report's tax_id and discount are hidden too
SELECT flp.protect(t)
  FROM unnest('{bench.gov_accounts, bench.gov_companies, bench.gov_opportunities, bench.scoped_accounts}'::regclass[]) t;
SELECT flp.exclude_field('bench.gov_accounts', 'id');
SELECT flp.create_bundle('Bench');
SELECT flp.set_permission('Bench', t, NULL, 'edit')
  FROM unnest('{bench.gov_accounts, bench.gov_companies, bench.gov_opportunities, bench.scoped_accounts}'::regclass[]) t;
SELECT flp.set_permission('Bench', 'bench.gov_accounts', f, 'hide') FROM unnest('{ssn, email}'::name[]) f;
SELECT flp.set_permission('Bench', 'bench.gov_accounts', 'arr', 'read');
SELECT flp.set_permission('Bench', 'bench.gov_companies', 'tax_id', 'hide');
SELECT flp.set_permission('Bench', 'bench.gov_opportunities', 'discount', 'hide');
SELECT flp.assign('Bench', 'bench_user');
-- bench_edit: a subject that may edit every field of the accounts (flp's
-- work without masks: the guard, the checks, no projection)
SELECT flp.create_bundle('BenchEdit');
SELECT flp.set_permission('BenchEdit', 'bench.gov_accounts', NULL, 'edit');
SELECT flp.assign('BenchEdit', 'bench_edit');

-- partners: bench_partner sees 10,000 of the 1M accounts (every 100th)
SELECT flp.define_area('company_relationship', '{bench.scoped_accounts}');
-- (Default_Partner_Bundle opens no field by itself: open them all, as before)
SELECT flp.set_permission('Default_Partner_Bundle', 'bench.scoped_accounts', a.attname, 'edit')
  FROM pg_attribute a
 WHERE a.attrelid = 'bench.scoped_accounts'::regclass AND a.attnum > 0 AND NOT a.attisdropped
   AND NOT EXISTS (SELECT 1 FROM flp.excluded_field e        -- the key stays unrestricted
				   WHERE e.tbl = 'bench.scoped_accounts'::regclass AND e.field = a.attname);
SELECT flp.add_partner('BenchPartner');
SELECT flp.register_user('bench_partner', 'full', '{}', 'BenchPartner');
SELECT flp.partner_scope('bench.scoped_accounts', 'id');
INSERT INTO flp.record_assignment
SELECT 'bench.scoped_accounts'::regclass, (i * 100)::text, 'BenchPartner', NULL
  FROM generate_series(1, :rows / 100) i;

-- the hand-written RLS contender: the same scoping with an assignment table
CREATE TABLE bench.assignments (account_id int NOT NULL, partner text NOT NULL,
								PRIMARY KEY (account_id, partner));
INSERT INTO bench.assignments SELECT i * 100, 'BenchPartner' FROM generate_series(1, :rows / 100) i;
ALTER TABLE bench.rls_accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON bench.rls_accounts USING (
	EXISTS (SELECT 1 FROM bench.assignments a
			 WHERE a.account_id = rls_accounts.id AND a.partner = 'BenchPartner'));

GRANT USAGE ON SCHEMA bench TO bench_user, bench_partner, bench_edit;
GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA bench TO bench_user, bench_partner, bench_edit;
VACUUM ANALYZE;

-- every contender starts with its table and indexes in shared buffers (the
-- cluster's shared_buffers holds them all), so no run pays for reading pages
-- another contender's run evicted
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
SELECT count(pg_prewarm(c.oid)) AS prewarmed
  FROM pg_class c
 WHERE c.relnamespace IN ('bench'::regnamespace, 'flp'::regnamespace)
   AND c.relkind IN ('r', 'i');
