-- test/ddl/setup.sql -- the governed schema of test/shell/75-ddl.sh (run as a
-- superuser in a fresh database).  Every hidden field holds a canary: a value
-- that must never appear in anything a subject (or the partner user) sees.
--   text canaries   CNRY_DDL_...
--   number canary   987654321 (an integer field)
--   short canaries  Ω7, Ω8 (a text field that becomes varchar(2))
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE EXTENSION flp;
CREATE SCHEMA ddl;

-- roles: the subject gets its bundle through a group role
CREATE ROLE ddl_sales NOLOGIN;
CREATE ROLE ddl_subject LOGIN IN ROLE ddl_sales;
CREATE ROLE ddl_owner LOGIN;            -- a table owner who is not a super admin
CREATE ROLE ddl_partner LOGIN;          -- a partner user of DdlCo
CREATE ROLE ddl_partner_gone LOGIN;     -- a partner user of DdlGone, dropped later
GRANT USAGE ON SCHEMA ddl TO PUBLIC;

-- the main table: id excluded, name/region visible, the rest hidden
CREATE TABLE ddl.accounts (
	id int PRIMARY KEY,
	name text NOT NULL,
	region text,
	secret text,              -- hidden, renamed later
	pin text,                 -- hidden, becomes varchar(2)
	score int,                -- hidden, becomes text
	doomed text,              -- hidden, dropped later
	note text                 -- visible, dropped later
);
INSERT INTO ddl.accounts VALUES
	(1, 'alpha', 'emea', 'CNRY_DDL_SECRET_1', 'Ω7', 987654321, 'CNRY_DDL_DOOMED_1', 'note 1'),
	(2, 'beta',  'na',   'CNRY_DDL_SECRET_2', 'Ω8', 987654321, 'CNRY_DDL_DOOMED_2', 'note 2'),
	(3, 'gamma', 'emea', 'CNRY_DDL_SECRET_3', 'Ω7', 987654321, 'CNRY_DDL_DOOMED_3', 'note 3');
CREATE INDEX accounts_name_idx ON ddl.accounts (name);
-- a report view owned by a superuser
CREATE VIEW ddl.account_report AS SELECT id, name, region, secret FROM ddl.accounts;

-- a second governed table, dropped later
CREATE TABLE ddl.notes (id int PRIMARY KEY, account_id int, body text, private text);
INSERT INTO ddl.notes VALUES (1, 1, 'hello', 'CNRY_DDL_PRIVATE_1'), (2, 2, 'world', 'CNRY_DDL_PRIVATE_2');

-- a governed partitioned table
CREATE TABLE ddl.events (id int, region text, title text, detail text, amount int)
	PARTITION BY LIST (region);
CREATE TABLE ddl.events_emea PARTITION OF ddl.events FOR VALUES IN ('emea');
CREATE TABLE ddl.events_na PARTITION OF ddl.events FOR VALUES IN ('na');
INSERT INTO ddl.events VALUES
	(1, 'emea', 'kickoff', 'CNRY_DDL_DETAIL_EMEA', 987654321),
	(2, 'na', 'renewal', 'CNRY_DDL_DETAIL_NA', 987654321);

-- a partner-scoped table
CREATE TABLE ddl.company (id int PRIMARY KEY, name text, tax_id text);
INSERT INTO ddl.company VALUES
	(1, 'Acme', 'CNRY_DDL_TAX_1'), (2, 'Globex', 'CNRY_DDL_TAX_2'), (3, 'Initech', 'CNRY_DDL_TAX_3');

GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ddl TO ddl_subject, ddl_owner;
GRANT SELECT ON ddl.company TO ddl_partner, ddl_partner_gone;

-- governance
SELECT flp.protect('ddl.accounts');
SELECT flp.protect('ddl.notes');
SELECT flp.protect('ddl.events');
SELECT flp.protect('ddl.company');
SELECT flp.exclude_field('ddl.accounts', 'id');
SELECT flp.exclude_field('ddl.events', 'id');
SELECT flp.exclude_field('ddl.company', 'id');

SELECT flp.create_bundle('DdlSales');
SELECT flp.set_permission('DdlSales', 'ddl.accounts', NULL, 'edit');
SELECT flp.set_permission('DdlSales', 'ddl.accounts', f, 'hide')
  FROM unnest('{secret,pin,score,doomed}'::name[]) f;
SELECT flp.set_permission('DdlSales', 'ddl.accounts', 'note', 'read');
SELECT flp.set_permission('DdlSales', 'ddl.notes', NULL, 'edit');
SELECT flp.set_permission('DdlSales', 'ddl.notes', 'private', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.events', NULL, 'read');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'detail', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.events', 'amount', 'hide');
SELECT flp.set_permission('DdlSales', 'ddl.company', NULL, 'read');
SELECT flp.set_permission('DdlSales', 'ddl.company', 'tax_id', 'hide');
SELECT flp.assign('DdlSales', 'ddl_sales');

-- partners: DdlCo's user sees companies 1 and 2, tax_id hidden; DdlGone's
-- user sees company 3
SELECT flp.define_area('company_relationship', '{ddl.company}');
SELECT flp.create_bundle('DdlPartners', kind => 'partner');
SELECT flp.set_permission('DdlPartners', 'ddl.company', NULL, 'edit');
SELECT flp.set_permission('DdlPartners', 'ddl.company', 'tax_id', 'hide');
SELECT flp.add_partner('DdlCo', '1');
SELECT flp.add_partner('DdlGone', '3');
SELECT flp.assign_partner_bundle('DdlCo', 'DdlPartners');
SELECT flp.assign_partner_bundle('DdlGone', 'DdlPartners');
SELECT flp.register_user('ddl_partner', 'full', '{}', 'DdlCo');
SELECT flp.register_user('ddl_partner_gone', 'full', '{}', 'DdlGone');
SELECT flp.partner_scope('ddl.company', 'id');
SELECT flp.assign_record('DdlCo', 'ddl.company', '1');
SELECT flp.assign_record('DdlCo', 'ddl.company', '2', 'ddl_partner');
SELECT flp.assign_record('DdlGone', 'ddl.company', '3', 'ddl_partner_gone');
