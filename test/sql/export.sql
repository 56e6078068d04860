-- export: flp.export_config() writes the configuration as an SQL script of
-- management-function calls.  Applying it again in the same database
-- changes nothing (catalog rows, effective permissions, the script itself);
-- applied to a database that lost part of the configuration, it brings the
-- part back.  The script holds no secret, quotes every name (a schema with
-- capitals and spaces, a bundle with quotes and a dollar-quote tag, a data
-- rule predicate with quotes), names missing roles clearly, and only super
-- admins may write it.  (test/shell/68-export.sh applies it to a fresh
-- database.)  It runs in a database of its own: the export holds the whole
-- configuration, and earlier suites leave theirs (maintenance's is for pg17).
\set SHOW_CONTEXT never
\set VERBOSITY terse
SELECT current_database() AS regress_db \gset
CREATE DATABASE regress_flp_export;
\c regress_flp_export
SET client_min_messages = warning;
CREATE EXTENSION flp;
CREATE SCHEMA regress;
CREATE FUNCTION regress.try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT USAGE ON SCHEMA regress TO PUBLIC;

CREATE SCHEMA "Exp Sales";
CREATE ROLE regress_exp_csm LOGIN;
CREATE ROLE "regress_exp Odd""Role" LOGIN;
CREATE ROLE regress_exp_viewer LOGIN;
CREATE ROLE regress_exp_partner LOGIN;
CREATE ROLE regress_exp_other LOGIN;
CREATE ROLE regress_exp_admin LOGIN IN ROLE flp_admin;
CREATE TABLE "Exp Sales"."Account" (id int PRIMARY KEY, name text, ssn text, email text, region text);
CREATE TABLE "Exp Sales".contact (id int PRIMARY KEY, account_id int, "Phone No" text);
GRANT USAGE ON SCHEMA "Exp Sales" TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA "Exp Sales" TO PUBLIC;

-- the catalog rows, without ids (criteria and data rules get new ones when
-- they are added again)
CREATE FUNCTION regress.exp_state() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(line, E'\n' ORDER BY line COLLATE "C") FROM (
		SELECT format('governed %s %s', tbl, default_permission) FROM flp.governed_table
		UNION ALL SELECT format('excluded %s.%s', tbl, field) FROM flp.excluded_field
		UNION ALL SELECT format('mask %s.%s %s', tbl, field, mask) FROM flp.field_mask
		UNION ALL SELECT format('inherited %s.%s %s.%s', tbl, field, from_tbl, from_field) FROM flp.inherited_field
		UNION ALL SELECT format('partner %s %s', name, company_key) FROM flp.partner
		UNION ALL SELECT format('bundle %s %s %s %s %s', name, kind, license, description, system) FROM flp.bundle
		UNION ALL SELECT format('table %s %s %s', bundle, tbl, permission) FROM flp.table_permission
		UNION ALL SELECT format('field %s %s.%s %s', bundle, tbl, field, permission) FROM flp.field_permission
		UNION ALL SELECT format('assignment %s %s', bundle, role) FROM flp.assignment
		UNION ALL SELECT format('rule %s %s', bundle, criteria) FROM flp.rule
		UNION ALL SELECT format('user %s %s %s %s', role, license, attributes, partner) FROM flp.registered_user
		UNION ALL SELECT format('seats %s %s', license, seats) FROM flp.license_seats
		UNION ALL SELECT format('partner bundle %s %s', partner, bundle) FROM flp.partner_bundle
		UNION ALL SELECT format('area %s %s', area, tbl) FROM flp.area_table
		UNION ALL SELECT format('scope %s %s', tbl, key_field) FROM flp.partner_scope
		UNION ALL SELECT format('record %s %s %s %s', tbl, record_key, partner, partner_user) FROM flp.record_assignment
		UNION ALL SELECT format('link %s %s %s %s', child, fk_field, parent, parent_key) FROM flp.record_link
		UNION ALL SELECT format('data rule %s %s %s %s', tbl, predicate, access, bundle) FROM flp.data_rule) x(line)
$$;
CREATE FUNCTION regress.exp_matrix() RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(format('%s %s.%s %s', role, tbl, field, permission), E'\n'
					  ORDER BY role::text, tbl::text, field)
	  FROM flp.permission_matrix()
$$;

-- a configuration with odd names in every place a name can be
SELECT flp.protect('"Exp Sales"."Account"') AS protected;
SELECT flp.protect('"Exp Sales".contact', 'read') AS protected;
SELECT flp.include_field('"Exp Sales".contact', 'id') AS included;   -- its key is governed
SELECT flp.exclude_field('"Exp Sales"."Account"', 'region') AS excluded;
SELECT flp.set_mask('"Exp Sales"."Account"', 'email', 'flp.mask_email(text)') AS masked;
SELECT flp.set_mask('"Exp Sales"."Account"', 'ssn', 'flp.mask_hash(text)') AS masked;
SELECT flp.inherit_field('"Exp Sales".contact', 'Phone No', '"Exp Sales"."Account"', 'ssn') AS inherited;
SELECT flp.create_bundle($$CSM "EMEA" it's$$, description => $$the 'CSM' team$$) AS created;
SELECT flp.set_permission($$CSM "EMEA" it's$$, '"Exp Sales"."Account"', NULL, 'edit') AS set;
SELECT flp.set_permission($$CSM "EMEA" it's$$, '"Exp Sales"."Account"', 'ssn', 'read') AS set;
SELECT flp.set_permission($$CSM "EMEA" it's$$, '"Exp Sales".contact', NULL, 'read') AS set;
SELECT flp.create_bundle('x$flp$y $$ end') AS created;
SELECT flp.set_permission('x$flp$y $$ end', '"Exp Sales".contact', NULL, 'edit') AS set;
SELECT flp.create_bundle('Viewers', license => 'viewer') AS created;
SELECT flp.set_permission('Viewers', '"Exp Sales"."Account"', NULL, 'read') AS set;
SELECT flp.set_permission('Viewers', '"Exp Sales"."Account"', 'name', 'hide') AS set;
SELECT flp.assign($$CSM "EMEA" it's$$, '"regress_exp Odd""Role"') AS assigned;
SELECT flp.assign('x$flp$y $$ end', 'regress_exp_csm') AS assigned;
SELECT flp.add_rule('Viewers', $${"region": "it's \"emea\""}$$) > 0 AS rule_added;
SELECT flp.set_seats('viewer', 2) AS seats;
SELECT flp.register_user('regress_exp_viewer', 'viewer', $${"region": "it's \"emea\""}$$) AS registered;
SELECT flp.add_partner($$O'Brien & "Co"$$, 'k''1') AS added;
SELECT flp.register_user('regress_exp_partner', partner => $$O'Brien & "Co"$$) AS registered;
SELECT flp.define_area('timeline', ARRAY['"Exp Sales"."Account"', '"Exp Sales".contact']::regclass[]) AS defined;
SELECT flp.create_bundle('Partner Bundle', 'partner') AS created;
SELECT flp.set_permission('Partner Bundle', '"Exp Sales"."Account"', NULL, 'read') AS set;
SELECT flp.assign_partner_bundle($$O'Brien & "Co"$$, 'Partner Bundle') AS assigned;
SELECT flp.set_permission('Default_Partner_Bundle', '"Exp Sales".contact', 'Phone No', 'read') AS set;
SELECT flp.partner_scope('"Exp Sales"."Account"', 'id') AS scoped;
SELECT flp.assign_record($$O'Brien & "Co"$$, '"Exp Sales"."Account"', '1') AS assigned;
SELECT flp.assign_record($$O'Brien & "Co"$$, '"Exp Sales"."Account"', $$2'); DROP TABLE x; --$$,
						 'regress_exp_partner') AS assigned;
SELECT flp.link_records('"Exp Sales".contact', 'account_id', '"Exp Sales"."Account"') AS linked;
SELECT flp.add_data_rule('"Exp Sales"."Account"', $$name <> 'it''s $flp$ -- $$ || E'\\' || $$x'$$,
						 'edit', $$CSM "EMEA" it's$$) > 0 AS rule_added;
SELECT flp.add_data_rule('"Exp Sales"."Account"', $$region = flp.attribute('region')$$) > 0 AS rule_added;

SELECT regress.exp_state() AS state \gset
SELECT regress.exp_matrix() AS matrix \gset
SELECT flp.export_config() AS script \gset

-- the script, as a DBA gets it
\echo :script

-- no secret in it
SELECT strpos(:'script', s.secret) = 0 AS no_secret,
       strpos(:'script', left(s.secret, 12)) = 0 AS no_part_of_it
  FROM flp.mask_secret s;
-- every name is a literal; the blocks' dollar-quote tag appears in no name
SELECT :'script' ~ 'DO \$flp1\$' AS other_tag, :'script' !~ 'DO \$flp\$' AS not_the_first;

-- applied again in the same database: nothing changes
:script
SELECT regress.exp_state() = :'state' AS same_catalog,
       regress.exp_matrix() = :'matrix' AS same_permissions,
       flp.export_config() = :'script' AS same_script,
       (SELECT count(*) FROM flp.rule) AS rules,
       (SELECT count(*) FROM flp.data_rule) AS data_rules;

-- a database that lost part of the configuration gets it back
SELECT flp.drop_bundle($$CSM "EMEA" it's$$) AS dropped;
SELECT flp.unregister_user('regress_exp_viewer') AS unregistered;
SELECT flp.unassign_record($$O'Brien & "Co"$$, '"Exp Sales"."Account"', '1') AS unassigned;
SELECT flp.include_field('"Exp Sales"."Account"', 'region') AS included;
SELECT flp.set_mask('"Exp Sales"."Account"', 'email', NULL) AS unmasked;
SELECT flp.unlink_records('"Exp Sales".contact') AS unlinked;
SELECT flp.protect('"Exp Sales".contact', 'hide') AS protected;
SELECT regress.exp_state() = :'state' AS same_catalog;
:script
SELECT regress.exp_state() = :'state' AS same_catalog,
       regress.exp_matrix() = :'matrix' AS same_permissions,
       (SELECT count(*) FROM flp.rule) AS rules,
       (SELECT count(*) FROM flp.data_rule) AS data_rules;

-- a bundle of the same name but another kind: a clear error, nothing changed
SELECT flp.drop_bundle('Viewers') AS dropped;
SELECT flp.create_bundle('Viewers', license => 'full') AS created;
\set VERBOSITY default
:script
\set VERBOSITY terse
SELECT regress.exp_state() = :'state' AS same_catalog;
SELECT flp.drop_bundle('Viewers') AS dropped;
:script
SELECT regress.exp_state() = :'state' AS same_catalog,
       regress.exp_matrix() = :'matrix' AS same_permissions;

-- a role the script names is missing: the first block says which, nothing changed
SELECT replace(:'script', 'regress_exp_csm', 'regress_exp_nobody') AS broken \gset
SELECT flp.unassign('x$flp$y $$ end', 'regress_exp_csm') AS unassigned;
\set VERBOSITY default
:broken
\set VERBOSITY terse
SELECT count(*) AS assignments FROM flp.assignment WHERE role = 'regress_exp_csm'::regrole;
:script
SELECT regress.exp_state() = :'state' AS same_catalog;

-- only super admins: flp_admin's members write the same script; others are refused
SELECT flp.export_config() AS script_now \gset
SET ROLE regress_exp_admin;
SELECT flp.export_config() = :'script_now' AS same_script;
RESET ROLE;
SET ROLE regress_exp_other;
SELECT regress.try('SELECT flp.export_config()');
RESET ROLE;
BEGIN;
GRANT EXECUTE ON FUNCTION flp.export_config() TO regress_exp_other;
SET ROLE regress_exp_other;
SELECT regress.try('SELECT flp.export_config()');
ROLLBACK;
SELECT has_function_privilege('public', 'flp.export_config()', 'EXECUTE') AS public_may,
       has_function_privilege('flp_admin', 'flp.export_config()', 'EXECUTE') AS admin_may;

-- an empty configuration: a script that checks nothing and changes nothing
SELECT flp.unprotect('"Exp Sales".contact') AS unprotected;
SELECT flp.unprotect('"Exp Sales"."Account"') AS unprotected;
SELECT flp.drop_bundle(name) AS dropped FROM flp.bundle WHERE NOT system ORDER BY name;
SELECT flp.unregister_user(role) AS unregistered FROM flp.registered_user ORDER BY role::text;
SELECT flp.drop_partner($$O'Brien & "Co"$$) AS dropped;
SELECT flp.set_seats('viewer', NULL) AS seats;
SELECT flp.export_config() AS empty \gset
\echo :empty
:empty
SELECT regress.exp_state() AS state_after;

-- clean up
\c :regress_db
DROP DATABASE regress_flp_export;
DROP ROLE regress_exp_csm, "regress_exp Odd""Role", regress_exp_viewer, regress_exp_partner,
	regress_exp_other, regress_exp_admin;
