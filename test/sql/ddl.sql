-- ddl: catalog rows follow renames of tables and columns, and disappear
-- with dropped tables, columns and roles.
\set SHOW_CONTEXT never

CREATE SCHEMA crm;
CREATE TABLE crm.accounts (id int PRIMARY KEY, name text, ssn text, email text, arr numeric);
CREATE TABLE crm.notes (id int, body text, arr numeric);
CREATE ROLE regress_owner LOGIN;
ALTER TABLE crm.notes OWNER TO regress_owner;
GRANT USAGE, CREATE ON SCHEMA crm TO regress_owner;
CREATE ROLE regress_anna LOGIN;
CREATE ROLE regress_gone LOGIN;
CREATE FUNCTION crm.mask_text(text) RETURNS text IMMUTABLE LANGUAGE sql RETURN 'x';

SELECT flp.protect('crm.accounts');
SELECT flp.protect('crm.notes', 'read');
SELECT flp.exclude_field('crm.accounts', 'id');
SELECT flp.set_mask('crm.accounts', 'email', 'crm.mask_text(text)');
SELECT flp.create_bundle('Sales');
SELECT flp.set_permission('Sales', 'crm.accounts', NULL, 'edit');
SELECT flp.set_permission('Sales', 'crm.accounts', 'ssn', 'hide');
SELECT flp.set_permission('Sales', 'crm.accounts', 'email', 'read');
SELECT flp.set_permission('Sales', 'crm.notes', NULL, 'edit');
SELECT flp.set_permission('Sales', 'crm.notes', 'body', 'hide');
SELECT flp.inherit_field('crm.notes', 'arr', 'crm.accounts', 'ssn');
SELECT flp.assign('Sales', 'regress_anna');
SELECT flp.assign('Sales', 'regress_gone');
SELECT flp.register_user('regress_gone', 'viewer');

CREATE VIEW regress.catalog_rows AS
	SELECT 'excluded' AS kind, tbl::text, field::text, NULL AS detail FROM flp.excluded_field
	UNION ALL SELECT 'mask', tbl::text, field::text, mask::text FROM flp.field_mask
	UNION ALL SELECT 'field', tbl::text, field::text, bundle || ':' || permission FROM flp.field_permission
	UNION ALL SELECT 'table', tbl::text, NULL, bundle || ':' || permission FROM flp.table_permission
	UNION ALL SELECT 'inherits', tbl::text, field::text, from_tbl::text || '.' || from_field FROM flp.inherited_field
	UNION ALL SELECT 'governed', tbl::text, NULL, default_permission::text FROM flp.governed_table;
SELECT * FROM regress.catalog_rows ORDER BY 1, 2, 3, 4;

-- renaming a table: rows hold the OID, so they follow
ALTER TABLE crm.accounts RENAME TO companies;
ALTER SCHEMA crm RENAME TO sales;
-- renaming columns: the catalog follows, for the field and for inheritance sources
ALTER TABLE sales.companies RENAME COLUMN ssn TO tax_id;
ALTER TABLE sales.companies RENAME COLUMN email TO contact_email;
ALTER TABLE sales.companies RENAME COLUMN id TO company_id;
-- by the table's owner, who may not write flp's catalog itself
SET ROLE regress_owner;
ALTER TABLE sales.notes RENAME COLUMN body TO text;
RESET ROLE;
SELECT * FROM regress.catalog_rows ORDER BY 1, 2, 3, 4;
SELECT * FROM flp.effective_permissions('regress_anna') ORDER BY tbl::text, field;

-- a mask function in use cannot be dropped
SELECT regress.try($$DROP FUNCTION sales.mask_text(text)$$);

-- a rename that fails changes nothing
BEGIN;
ALTER TABLE sales.companies RENAME COLUMN name TO company_name;
ROLLBACK;
SELECT regress.try($$ALTER TABLE sales.companies RENAME COLUMN name TO arr$$);
SELECT flp.effective('sales.companies', 'tax_id', 'regress_anna'),
       flp.effective('sales.companies', 'name', 'regress_anna');

-- renaming a column that has no catalog rows, and of an ungoverned table
ALTER TABLE sales.companies RENAME COLUMN name TO company_name;
CREATE TABLE sales.free (a int);
ALTER TABLE sales.free RENAME COLUMN a TO b;

-- a new column gets the bundle's table level, or the table default
ALTER TABLE sales.companies ADD COLUMN phone text;
ALTER TABLE sales.notes ADD COLUMN extra text;
SELECT flp.effective('sales.companies', 'phone', 'regress_anna') AS granted,
       flp.effective('sales.companies', 'phone', 'regress_owner') AS not_granted,
       flp.effective('sales.notes', 'extra', 'regress_owner') AS default_read;

-- changing a column's type keeps its settings
ALTER TABLE sales.companies ALTER COLUMN arr TYPE bigint;
SELECT flp.effective('sales.companies', 'tax_id', 'regress_anna') AS tax_id;

-- dropping columns removes their rows (field settings, masks, exclusions,
-- inheritance in both directions)
ALTER TABLE sales.companies DROP COLUMN contact_email;
ALTER TABLE sales.companies DROP COLUMN company_id;
ALTER TABLE sales.companies DROP COLUMN tax_id;
SELECT * FROM regress.catalog_rows ORDER BY 1, 2, 3, 4;
SELECT * FROM flp.effective_permissions('regress_anna') ORDER BY tbl::text, field;
-- a column added later under an old name does not inherit old settings
ALTER TABLE sales.companies ADD COLUMN tax_id text;
SELECT flp.effective('sales.companies', 'tax_id', 'regress_anna');

-- dropping a role forgets its assignments and registration
DROP ROLE regress_gone;
SELECT bundle, role FROM flp.assignment ORDER BY 1, 2::text;
SELECT role FROM flp.registered_user;

-- a dropped table takes all its rows with it, also as an inheritance source
SELECT flp.inherit_field('sales.notes', 'arr', 'sales.companies', 'arr');
DROP TABLE sales.companies;
SELECT * FROM regress.catalog_rows ORDER BY 1, 2, 3, 4;
-- dropping a schema drops its governed tables' rows too
DROP SCHEMA sales CASCADE;
SELECT count(*) AS governed FROM flp.governed_table;
SELECT count(*) AS table_permissions FROM flp.table_permission;

-- the same rules hold for a partitioned table
CREATE TABLE public.parted (id int, region text, secret text) PARTITION BY LIST (region);
CREATE TABLE public.parted_emea PARTITION OF public.parted FOR VALUES IN ('emea');
SELECT flp.protect('parted');
SELECT flp.set_permission('Sales', 'parted', NULL, 'edit');
SELECT flp.set_permission('Sales', 'parted', 'secret', 'hide');
ALTER TABLE public.parted RENAME COLUMN secret TO hidden;
SELECT * FROM regress.catalog_rows ORDER BY 1, 2, 3, 4;
DROP TABLE public.parted_emea;
SELECT count(*) AS rows_of_parted FROM regress.catalog_rows;
DROP TABLE public.parted;
SELECT count(*) AS rows_left FROM regress.catalog_rows;

-- clean up
DROP VIEW regress.catalog_rows;
SELECT flp.drop_bundle('Sales');
DROP ROLE regress_owner, regress_anna;
