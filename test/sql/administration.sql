-- administration: day-to-day management -- several fields at once
-- (set_permission and exclude_field with arrays), renaming and cloning
-- bundles, and data rules whose policies follow every change of the catalog
-- (a rename by flp.rename_bundle or by a direct UPDATE, a drop, direct DML
-- on flp.data_rule, flp.record_link and flp.partner_scope).  Bad input: a
-- clear error and nothing changed.
\set SHOW_CONTEXT never
\set VERBOSITY terse

CREATE SCHEMA adm;
CREATE ROLE regress_adm_csm LOGIN;
CREATE ROLE regress_adm_other LOGIN;
CREATE ROLE regress_adm_admin LOGIN IN ROLE flp_admin;
CREATE TABLE adm.account (id int PRIMARY KEY, name text, ssn text, arr numeric, region text);
CREATE TABLE adm.contact (id int PRIMARY KEY, account_id int, name text, phone text);
INSERT INTO adm.account VALUES (1, 'Acme', '111', 10, 'emea'), (2, 'Globex', '222', 20, 'amer');
INSERT INTO adm.contact VALUES (1, 1, 'Ann', '555-1'), (2, 2, 'Bob', '555-2');
GRANT USAGE ON SCHEMA adm TO PUBLIC;
GRANT SELECT ON adm.account, adm.contact TO regress_adm_csm, regress_adm_other;

-- the policies flp compiled on a table, as text
CREATE FUNCTION adm.policies(t regclass) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT p.polname || ': ' || pg_get_expr(p.polqual, p.polrelid)
	  FROM pg_policy p WHERE p.polrelid = t AND p.polname IN ('flp_data_select', 'flp_link', 'flp_scope')
	 ORDER BY p.polname
$$;
-- the catalog rows a refused call must leave alone
CREATE FUNCTION adm.state() RETURNS text LANGUAGE sql AS $$
	SELECT md5(concat_ws('|',
		(SELECT string_agg(b::text, ',' ORDER BY b::text) FROM flp.bundle b),
		(SELECT string_agg(t::text, ',' ORDER BY t::text) FROM flp.table_permission t),
		(SELECT string_agg(f::text, ',' ORDER BY f::text) FROM flp.field_permission f),
		(SELECT string_agg(e::text, ',' ORDER BY e::text) FROM flp.excluded_field e),
		(SELECT string_agg(a::text, ',' ORDER BY a::text) FROM flp.assignment a),
		(SELECT string_agg(r.tbl || r.predicate || coalesce(r.bundle, '-'), ',' ORDER BY r.id) FROM flp.data_rule r)))
$$;

SELECT flp.protect('adm.account') AS protected;
SELECT flp.protect('adm.contact') AS protected;

-- several fields at once (the primary key is excluded already: flp.protect
-- left it unrestricted)
SELECT flp.exclude_field('adm.account', ARRAY['id', 'region']::name[]) AS excluded;
SELECT field FROM flp.excluded_field WHERE tbl = 'adm.account'::regclass ORDER BY 1;
SELECT flp.create_bundle('CSM') AS created;
SELECT flp.set_permission('CSM', 'adm.account', NULL, 'edit') AS granted;
SELECT flp.set_permission('CSM', 'adm.account', ARRAY['ssn', 'arr'], 'read') AS set;
SELECT field, permission FROM flp.field_permission WHERE bundle = 'CSM' ORDER BY 1;
SELECT flp.assign('CSM', 'regress_adm_csm') AS assigned;

-- bad arrays: all or none
SELECT adm.state() AS before \gset
SELECT flp.set_permission('CSM', 'adm.account', ARRAY['name', 'nope'], 'hide');
SELECT flp.set_permission('CSM', 'adm.account', ARRAY['name', NULL], 'hide');
SELECT flp.set_permission('CSM', 'adm.account', '{}'::name[], 'hide');
SELECT flp.set_permission('CSM', 'adm.account', NULL::name[], 'hide');
SELECT flp.set_permission('CSM', 'adm.account', ARRAY['name', 'id'], 'hide');
SELECT flp.exclude_field('adm.account', ARRAY['name', 'nope']);
SELECT flp.exclude_field('adm.account', '{}'::name[]);
SET ROLE regress_adm_other;
SELECT flp.set_permission('CSM', 'adm.account', ARRAY['name'], 'hide');
SELECT flp.exclude_field('adm.account', ARRAY['name']);
RESET ROLE;
SELECT adm.state() = :'before' AS unchanged;

-- a data rule of the bundle: its members see the emea rows
SELECT flp.add_data_rule('adm.account', $$region = 'emea'$$, 'read', 'CSM') > 0 AS rule_added;
SELECT * FROM adm.policies('adm.account');
SET ROLE regress_adm_csm;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;

-- renamed by a direct UPDATE of a super admin: the policies follow
UPDATE flp.bundle SET name = 'Success' WHERE name = 'CSM';
SELECT * FROM adm.policies('adm.account');
SET ROLE regress_adm_csm;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;

-- renamed by flp.rename_bundle, by a super admin that is not a superuser
SET ROLE regress_adm_admin;
SELECT flp.rename_bundle('Success', 'Customer Success') AS renamed;
RESET ROLE;
SELECT * FROM adm.policies('adm.account');
SELECT bundle, count(*) FROM flp.field_permission WHERE tbl = 'adm.account'::regclass GROUP BY 1 ORDER BY 1;
SELECT bundle, role FROM flp.assignment WHERE role = 'regress_adm_csm'::regrole;
SELECT bundle, source FROM flp.bundles('regress_adm_csm');
SET ROLE regress_adm_csm;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;
SELECT step, regexp_replace(source, '[0-9]+', 'N') AS source, visible
  FROM flp.explain_record('adm.account', '1', 'regress_adm_csm');

-- bad renames change nothing
SELECT adm.state() AS before \gset
SELECT flp.rename_bundle('Customer Success', 'Default_Partner_Bundle');
SELECT flp.rename_bundle('Default_Partner_Bundle', 'Partners');
SELECT flp.rename_bundle('nope', 'Partners');
SELECT flp.rename_bundle('Customer Success', ' padded');
SELECT flp.rename_bundle('Customer Success', '');
SELECT flp.rename_bundle('Customer Success', NULL);
SELECT flp.rename_bundle(NULL, 'x');
SET ROLE regress_adm_other;
SELECT flp.rename_bundle('Customer Success', 'Mine');
RESET ROLE;
SELECT adm.state() = :'before' AS unchanged;
SELECT flp.rename_bundle('Customer Success', 'Customer Success') AS same_name;

-- a clone: kind, license, table and field permissions, data rules; no assignment
SELECT flp.clone_bundle('Customer Success', 'CSM EMEA', 'the EMEA team') AS cloned;
SELECT name, kind, license, description FROM flp.bundle WHERE name LIKE 'C%' ORDER BY 1;
SELECT bundle, tbl, field, permission FROM flp.field_permission WHERE tbl = 'adm.account'::regclass ORDER BY 1, 3;
SELECT bundle, predicate, access FROM flp.data_rule WHERE tbl = 'adm.account'::regclass ORDER BY id;
SELECT count(*) AS clone_assignments FROM flp.assignment WHERE bundle = 'CSM EMEA';
SELECT * FROM adm.policies('adm.account');
SELECT flp.assign('CSM EMEA', 'regress_adm_other') AS assigned;
SET ROLE regress_adm_other;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;
SELECT adm.state() AS before \gset
SELECT flp.clone_bundle('Customer Success', 'CSM EMEA');
SELECT flp.clone_bundle('nope', 'x');
SELECT flp.clone_bundle('Customer Success', NULL);
SELECT adm.state() = :'before' AS unchanged;

-- Default_Partner_Bundle cannot be cloned (it gives unopened fields, and
-- columns added later, the table default: no ordinary bundle can say that),
-- nor renamed, changed or deleted by direct DML, and no bundle becomes a
-- system bundle
SELECT flp.define_area('timeline', ARRAY['adm.account']::regclass[]) AS area;
SELECT flp.set_permission('Default_Partner_Bundle', 'adm.account', 'name', 'read') AS opened;
SELECT adm.state() AS before \gset
SELECT flp.clone_bundle('Default_Partner_Bundle', 'Partner Copy');
UPDATE flp.bundle SET name = 'Old default' WHERE name = 'Default_Partner_Bundle';
UPDATE flp.bundle SET license = 'viewer', kind = 'internal' WHERE name = 'Default_Partner_Bundle';
DELETE FROM flp.bundle WHERE name = 'Default_Partner_Bundle';
UPDATE flp.bundle SET system = true WHERE name = 'CSM EMEA';
INSERT INTO flp.bundle (name, kind, system) VALUES ('Second default', 'partner', true);
SELECT adm.state() = :'before' AS unchanged;
UPDATE flp.bundle SET description = 'the default' WHERE name = 'Default_Partner_Bundle';
SELECT flp.create_bundle('Partner Copy', 'partner') AS created;

-- direct DML on flp.data_rule: in force at once
DELETE FROM flp.data_rule WHERE bundle = 'CSM EMEA';
SELECT * FROM adm.policies('adm.account');
SET ROLE regress_adm_other;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;
INSERT INTO flp.data_rule (tbl, predicate, bundle) VALUES ('adm.account', 'id = 2', 'CSM EMEA');
SET ROLE regress_adm_other;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;
UPDATE flp.data_rule SET predicate = 'id = 1' WHERE bundle = 'CSM EMEA';
SET ROLE regress_adm_other;
SELECT * FROM adm.account ORDER BY id;
RESET ROLE;
-- a refused predicate by direct DML changes nothing
UPDATE flp.data_rule SET predicate = 'id = 1; DROP TABLE adm.account' WHERE bundle = 'CSM EMEA';
SELECT * FROM adm.policies('adm.account');

-- a dropped bundle takes its data rules out of the policies
SELECT flp.drop_bundle('Customer Success') AS dropped;
SELECT * FROM adm.policies('adm.account');

-- inheritance for everyone: an internal user whom a data rule restricts on
-- accounts sees only the contacts of the accounts it sees (and contacts
-- without an account); a partner user would not see those either
INSERT INTO adm.contact VALUES (3, NULL, 'Orphan', '555-3');
SET ROLE regress_adm_other;
SELECT id FROM adm.account ORDER BY id;
SELECT id FROM adm.contact ORDER BY id;
RESET ROLE;
SELECT flp.link_records('adm.contact', 'account_id', 'adm.account') AS linked;
SET ROLE regress_adm_other;
SELECT id FROM adm.contact ORDER BY id;
RESET ROLE;
SELECT step, source, detail, visible FROM flp.explain_record('adm.contact', '2', 'regress_adm_other')
 WHERE source NOT LIKE '%data rule%';
SELECT step, source, detail, visible FROM flp.explain_record('adm.contact', '3', 'regress_adm_other');
SELECT flp.unlink_records('adm.contact') AS unlinked;
DELETE FROM adm.contact WHERE id = 3;

-- direct DML on flp.record_link and flp.partner_scope
INSERT INTO flp.record_link VALUES ('adm.contact', 'account_id', 'adm.account', 'id');
SELECT * FROM adm.policies('adm.contact');
DELETE FROM flp.record_link WHERE child = 'adm.contact'::regclass;
SELECT * FROM adm.policies('adm.contact');
INSERT INTO flp.partner_scope VALUES ('adm.contact', 'id');
SELECT * FROM adm.policies('adm.contact');
DELETE FROM flp.partner_scope WHERE tbl = 'adm.contact'::regclass;
SELECT * FROM adm.policies('adm.contact');

-- a TRUNCATE of the rule tables takes their policies away too
BEGIN;
TRUNCATE flp.data_rule;
SELECT * FROM adm.policies('adm.account');
ROLLBACK;
SELECT count(*) AS policies_back FROM adm.policies('adm.account');

-- a super admin that is not a superuser: its COPY into the catalog is
-- checked, recorded and compiled like any write
SELECT clock_timestamp() AS copy_mark \gset
SET ROLE regress_adm_admin;
COPY flp.data_rule (tbl, predicate, bundle) FROM STDIN;
adm.account	id = 2	CSM EMEA
\.
COPY flp.assignment FROM STDIN;
No such bundle	regress_adm_other
\.
RESET ROLE;
SELECT tbl, operation, new_row ->> 'predicate' AS predicate FROM flp.audit_log
 WHERE at > :'copy_mark' ORDER BY at, seq;
SELECT * FROM adm.policies('adm.account');
DELETE FROM flp.data_rule WHERE predicate = 'id = 2';

-- the key fields of a scope or a link must compare with trusted operators
-- and casts: an implicit cast of a super admin's own type is refused
CREATE TYPE adm.k AS (v int);
CREATE FUNCTION adm.k2t(adm.k) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ($1).v::text';
ALTER FUNCTION adm.k2t(adm.k) OWNER TO regress_adm_admin;
CREATE CAST (adm.k AS text) WITH FUNCTION adm.k2t(adm.k) AS IMPLICIT;
CREATE TABLE adm.par (id adm.k PRIMARY KEY, name text);
CREATE TABLE adm.chi (id int PRIMARY KEY, par_id text, note text);
SELECT flp.protect('adm.par') AS protected;
SELECT flp.protect('adm.chi') AS protected;
SELECT flp.link_records('adm.chi', 'par_id', 'adm.par');
SELECT flp.partner_scope('adm.par', 'id');
SELECT count(*) AS flp_policies FROM pg_policy WHERE polrelid IN ('adm.par'::regclass, 'adm.chi'::regclass)
   AND polname IN ('flp_link', 'flp_scope');
SELECT flp.unprotect('adm.par') AS unprotected;
SELECT flp.unprotect('adm.chi') AS unprotected;
DROP TABLE adm.par, adm.chi;
DROP CAST (adm.k AS text);

-- bad names, temporary tables, masks that do not exist: clear errors, nothing changed
SELECT adm.state() AS before \gset
SELECT flp.create_bundle(E'\t');
SELECT flp.create_bundle(E'Sales\n');
SELECT flp.create_bundle(E'Sa\u0007les');
SELECT flp.create_bundle(repeat('x', 10000));
SELECT flp.create_bundle(NULL);
SELECT flp.rename_bundle('CSM EMEA', E' \n ');
SELECT flp.rename_bundle('CSM EMEA', NULL);
SELECT flp.add_partner(E'\n');
SELECT flp.add_partner(repeat('p', 201));
SELECT flp.add_partner(NULL);
CREATE TEMPORARY TABLE adm_temp (id int, secret text);
SELECT flp.protect('adm_temp');
SELECT flp.protect('pg_class');
SELECT flp.set_mask('adm.account', 'name', 4294967000::oid::regprocedure);
SELECT adm.state() = :'before' AS unchanged;
DROP TABLE adm_temp;

-- the configuration at a glance
SELECT * FROM flp.bundle_fields WHERE tbl::text LIKE 'adm.%' ORDER BY bundle NULLS FIRST, tbl::text, field;
SELECT * FROM flp.bundle_holders WHERE bundle IN ('CSM EMEA', 'Partner Copy', 'Default_Partner_Bundle')
 ORDER BY 1, 2, 3;
SELECT * FROM flp.permission_matrix(ARRAY['regress_adm_other', 'regress_adm_csm']::regrole[])
 WHERE tbl::text LIKE 'adm.%';
SELECT role, count(*) FROM flp.permission_matrix()
 WHERE role::text LIKE 'regress_adm%' AND tbl::text LIKE 'adm.%' GROUP BY 1 ORDER BY 1;
SELECT * FROM flp.permission_matrix(ARRAY['regress_adm_other', NULL]::regrole[]);
SET ROLE regress_adm_other;
SELECT * FROM flp.my_restricted_fields WHERE tbl::text LIKE 'adm.%' ORDER BY tbl::text, field;
SELECT * FROM flp.permission_matrix();
SELECT count(*) FROM flp.bundle_fields;
SELECT count(*) FROM flp.bundle_holders;
RESET ROLE;

-- preview a change: what every concerned role would get, then rolled back
SELECT adm.state() AS before \gset
SELECT count(*) AS trail_before FROM flp.audit_log \gset
SELECT * FROM flp.preview_change($$SELECT flp.set_permission('CSM EMEA', 'adm.account', ARRAY['ssn', 'arr'], 'hide')$$)
 WHERE role LIKE 'regress_adm%' AND tbl LIKE 'adm.%';
-- several statements, a role created on the way, and a first data rule
SELECT role, tbl, field, before, regexp_replace(after, 'rule \d+', 'rule N') AS after
  FROM flp.preview_change($$
	CREATE ROLE regress_adm_new LOGIN;
	SELECT flp.assign('CSM EMEA', 'regress_adm_new');
	SELECT flp.add_data_rule('adm.contact', $r$name <> 'x'$r$, 'read', 'CSM EMEA');
$$) WHERE role LIKE 'regress_adm%' AND tbl LIKE 'adm.%' AND (field IS NULL OR field = 'name');
SELECT adm.state() = :'before' AS unchanged,
	   (SELECT count(*) FROM flp.audit_log) = :trail_before AS no_trail,
	   NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_adm_new') AS no_new_role;
-- the statements resolve names with the caller's search_path
SET search_path = adm, public;
SELECT role, tbl, field, before, after
  FROM flp.preview_change($$SELECT flp.set_permission('CSM EMEA', 'account', 'name', 'read')$$)
 WHERE role LIKE 'regress_adm%';
RESET search_path;
-- a change that changes nothing for anyone
SELECT count(*) AS differences FROM flp.preview_change('SELECT 1');
-- bad input: clear errors, nothing changed
SELECT regress.why($$SELECT * FROM flp.preview_change(NULL)$$);
SELECT regress.why($$SELECT * FROM flp.preview_change(E' \n ')$$);
SELECT regress.why($$SELECT * FROM flp.preview_change('SELECT flp.assign(''No such bundle'', ''regress_adm_csm'')')$$);
SELECT regress.why($$SELECT * FROM flp.preview_change('COMMIT')$$);
SELECT regress.why($$SELECT * FROM flp.preview_change('SELECT flp.unprotect(''adm.account''); ROLLBACK')$$);
SET ROLE regress_adm_other;
SELECT regress.why($$SELECT * FROM flp.preview_change('SELECT 1')$$);
RESET ROLE;
SELECT adm.state() = :'before' AS unchanged,
	   EXISTS (SELECT 1 FROM flp.governed_table WHERE tbl = 'adm.account'::regclass) AS still_governed;

-- errors of management calls: a misspelt permission lists the valid ones;
-- flp's own functions leave the CONTEXT, a caller's function stays in it
\set SHOW_CONTEXT errors
\set VERBOSITY default
SELECT flp.set_permission('CSM EMEA', 'adm.account', 'name', 'hidden');
SELECT flp.create_bundle('Odd', license => 'viewers');
SELECT flp.assign('No such bundle', 'regress_adm_csm');
CREATE FUNCTION adm.call_assign() RETURNS void LANGUAGE plpgsql AS
	$$BEGIN PERFORM flp.assign('No such bundle', 'regress_adm_csm'); END$$;
SELECT adm.call_assign();
\set VERBOSITY terse
\set SHOW_CONTEXT never
-- a data rule whose predicate can fail on a row's value is warned about: it
-- runs on rows out of the subject's scope too, and its error would quote them
SELECT count(*) >= 0 AS previewed
  FROM flp.preview_change($$SELECT flp.add_data_rule('adm.contact', 'phone::int > 0')$$);
SELECT count(*) >= 0 AS previewed
  FROM flp.preview_change($$SELECT flp.add_data_rule('adm.contact', $r$name = 'x' AND account_id = 1$r$)$$);
-- whatever can fail: XMLPARSE, a domain's check, a failing call on constants
-- under a CASE on the row (red team of 0.2.0)
CREATE DOMAIN adm.posint AS int CHECK (VALUE > 0);
SELECT count(*) >= 0 AS previewed FROM flp.preview_change($$
	SELECT flp.add_data_rule('adm.contact', 'xmlparse(document phone) IS DOCUMENT');
	SELECT flp.add_data_rule('adm.contact', 'account_id::adm.posint > 1');
	SELECT flp.add_data_rule('adm.contact', $r$CASE WHEN name = 'x' THEN 1 / 0 ELSE 1 END = 1$r$);
	SELECT flp.add_data_rule('adm.contact', $r$name = flp.attribute('name') OR flp.has_bundle('CSM EMEA')$r$);
$$);

-- the audit trail: every change, by function or direct DML, with who and
-- the statement; not what was rolled back; super admins read it, only
-- superusers change it
CREATE FUNCTION adm.trail(since timestamptz) RETURNS TABLE (session_role name, role name, tbl text,
	operation text, old_row jsonb, new_row jsonb, statement text)
	LANGUAGE sql AS $$
	SELECT session_role, role, tbl, operation, old_row, new_row, statement
	  FROM flp.audit_log WHERE at > since ORDER BY at, seq
$$;
SELECT clock_timestamp() AS mark \gset
SET ROLE regress_adm_admin;
SELECT flp.create_bundle('Audited', description => 'kept') AS created;
BEGIN;
SELECT flp.create_bundle('Rolled back') AS created;
ROLLBACK;
UPDATE flp.bundle SET description = 'changed by hand' WHERE name = 'Audited';
SELECT flp.rename_bundle('Audited', 'Audited 2') AS renamed;
DELETE FROM flp.bundle WHERE name = 'Audited 2';
SELECT * FROM adm.trail(:'mark');
-- nobody but a superuser writes it
DELETE FROM flp.audit_log;
UPDATE flp.audit_log SET statement = 'nothing';
INSERT INTO flp.audit_log (session_role, role, tbl, operation) VALUES ('x', 'x', 'bundle', 'INSERT');
TRUNCATE flp.audit_log;
ALTER TABLE flp.bundle DISABLE TRIGGER flp_audit;
SELECT flp.purge_audit(now());
RESET ROLE;
SET ROLE regress_adm_other;
SELECT count(*) FROM flp.audit_log;
RESET ROLE;
TRUNCATE flp.license_seats;
SELECT tbl, operation, statement FROM adm.trail(:'mark') WHERE operation = 'TRUNCATE';
-- the trail keeps the statement that changed the catalog, not the other
-- statements of the client's message; nothing of flp.mask_secret's key
SELECT clock_timestamp() AS mark2 \gset
SELECT flp.create_bundle('Multi') AS created \; ALTER ROLE regress_adm_other PASSWORD 'pw-not-for-the-trail' \; SELECT 1 AS one;
UPDATE flp.mask_secret SET secret = secret;
SELECT tbl, operation, statement, old_row, new_row FROM flp.audit_log
 WHERE at > :'mark2' AND tbl IN ('bundle', 'mask_secret') ORDER BY at, seq;
SELECT count(*) AS password_in_trail FROM flp.audit_log WHERE statement LIKE '%pw-not-for%';
ALTER ROLE regress_adm_other PASSWORD NULL;
SELECT flp.drop_bundle('Multi') AS dropped;
SELECT flp.purge_audit(NULL);
SELECT flp.purge_audit('-infinity') AS purged;
SELECT tbl, operation, old_row FROM adm.trail(:'mark') WHERE tbl = 'audit_log';

-- clean up
SELECT flp.unprotect('adm.account') AS unprotected;
SELECT flp.unprotect('adm.contact') AS unprotected;
SELECT flp.drop_bundle(name) FROM flp.bundle WHERE name IN ('CSM EMEA', 'Partner Copy');
UPDATE flp.bundle SET description = 'Edit on every table of the partner areas; used by partners without a bundle of their own' WHERE name = 'Default_Partner_Bundle';
SELECT flp.drop_partner('Acme');
DROP SCHEMA adm CASCADE;
DROP ROLE regress_adm_csm, regress_adm_other, regress_adm_admin;
