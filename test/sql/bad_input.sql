-- bad_input: bad input through every public function of flp.  Each call
-- must be refused with a precise SQLSTATE and a message naming the input
-- ("<argument> must not be null" for a NULL, 22004), never an internal
-- error (XX000) nor a crash, and the catalog must be unchanged after the
-- sweep.  The introspection functions, the masks and the policy functions
-- are STRICT: a NULL argument gives NULL ('ok' below), as documented.
\set SHOW_CONTEXT never
\set VERBOSITY terse

CREATE SCHEMA bi;
GRANT USAGE ON SCHEMA bi TO PUBLIC;
CREATE ROLE regress_bi_admin LOGIN IN ROLE flp_admin;
CREATE ROLE regress_bi_plain LOGIN;
CREATE ROLE regress_bi_user LOGIN;
CREATE TABLE bi.t (id int PRIMARY KEY, a text, b text, k text);
CREATE TABLE bi.u (id int PRIMARY KEY, t_id int, c text);
CREATE TABLE bi.nokey (a text, b text);
CREATE TABLE bi.free (id int PRIMARY KEY, a text);
CREATE VIEW bi.v AS SELECT id, a FROM bi.t;
CREATE TEMP TABLE bi_tmp (id int PRIMARY KEY, a text);
CREATE FUNCTION bi.volatile_mask(text) RETURNS text LANGUAGE sql VOLATILE RETURN '****';

-- a small configuration for the calls to run against
SET client_min_messages = warning;
SELECT flp.protect('bi.t'), flp.protect('bi.u'), flp.protect('bi.nokey');
SELECT flp.create_bundle('B'), flp.create_bundle('PB', 'partner');
SELECT flp.set_permission('B', 'bi.t', NULL, 'read');
SELECT flp.add_partner('P');
SELECT flp.register_user('regress_bi_user', 'full', '{}', 'P');
SELECT flp.define_area('home', ARRAY['bi.t']::regclass[]);
SELECT flp.partner_scope('bi.t', 'k');
SELECT flp.assign_record('P', 'bi.t', '1');
SELECT flp.assign('B', 'regress_bi_plain');
SELECT flp.add_rule('B', '{"region": "emea"}') AS rule_id \gset
SELECT flp.add_data_rule('bi.u', 'c = ''x''', 'read', 'B') AS data_rule_id \gset
SELECT flp.inherit_field('bi.u', 'c', 'bi.t', 'a');
SELECT flp.exclude_field('bi.t', 'b');
RESET client_min_messages;

-- a call's SQLSTATE and message (its changes rolled back)
CREATE FUNCTION bi.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION bi.try(text) TO PUBLIC;

-- every row of flp's catalog tables (flp.audit_log aside) and flp's policies
CREATE FUNCTION bi.fingerprint() RETURNS text LANGUAGE sql AS $$
	SELECT md5(string_agg(r, E'\n' ORDER BY r)) FROM (
		SELECT 'governed_table ' || x::text FROM flp.governed_table x UNION ALL
		SELECT 'guarded_relation ' || x::text FROM flp.guarded_relation x UNION ALL
		SELECT 'excluded_field ' || x::text FROM flp.excluded_field x UNION ALL
		SELECT 'field_mask ' || x::text FROM flp.field_mask x UNION ALL
		SELECT 'mask_secret ' || x::text FROM flp.mask_secret x UNION ALL
		SELECT 'inherited_field ' || x::text FROM flp.inherited_field x UNION ALL
		SELECT 'partner ' || x::text FROM flp.partner x UNION ALL
		SELECT 'bundle ' || x::text FROM flp.bundle x UNION ALL
		SELECT 'table_permission ' || x::text FROM flp.table_permission x UNION ALL
		SELECT 'field_permission ' || x::text FROM flp.field_permission x UNION ALL
		SELECT 'assignment ' || x::text FROM flp.assignment x UNION ALL
		SELECT 'rule ' || x::text FROM flp.rule x UNION ALL
		SELECT 'registered_user ' || x::text FROM flp.registered_user x UNION ALL
		SELECT 'license_seats ' || x::text FROM flp.license_seats x UNION ALL
		SELECT 'partner_bundle ' || x::text FROM flp.partner_bundle x UNION ALL
		SELECT 'admin_role ' || x::text FROM flp.admin_role x UNION ALL
		SELECT 'area_table ' || x::text FROM flp.area_table x UNION ALL
		SELECT 'partner_scope ' || x::text FROM flp.partner_scope x UNION ALL
		SELECT 'record_assignment ' || x::text FROM flp.record_assignment x UNION ALL
		SELECT 'record_link ' || x::text FROM flp.record_link x UNION ALL
		SELECT 'data_rule ' || x::text FROM flp.data_rule x UNION ALL
		SELECT 'policy ' || p.polrelid::regclass || ' ' || p.polname || ' ' ||
			   coalesce(pg_get_expr(p.polqual, p.polrelid), '')
		  FROM pg_policy p WHERE p.polname LIKE 'flp%') rows(r)
$$;

CREATE TABLE bi.calls (n serial PRIMARY KEY, call text NOT NULL);
GRANT SELECT ON bi.calls TO PUBLIC;
INSERT INTO bi.calls (call) VALUES
-- protect
($$SELECT flp.protect(NULL)$$),
($$SELECT flp.protect('bi.free', NULL)$$),
($$SELECT flp.protect('bi.free', 'hide', NULL)$$),
($$SELECT flp.protect('bi.nope')$$),
($$SELECT flp.protect(99999::regclass)$$),
($$SELECT flp.protect('bi.free', 'nope')$$),
($$SELECT flp.protect('pg_class')$$),
($$SELECT flp.protect('information_schema.sql_features')$$),
($$SELECT flp.protect('flp.bundle')$$),
($$SELECT flp.protect('bi.v')$$),
($$SELECT flp.protect('bi_tmp')$$),
-- unprotect
($$SELECT flp.unprotect(NULL)$$),
($$SELECT flp.unprotect(99999::regclass)$$),
($$SELECT flp.unprotect('bi.free')$$),
($$SELECT flp.unprotect('pg_class')$$),
($$SELECT flp.unprotect('bi.t')$$),
-- exclude_field (one field, several)
($$SELECT flp.exclude_field(NULL, 'a'::name)$$),
($$SELECT flp.exclude_field('bi.t', NULL::name)$$),
($$SELECT flp.exclude_field('bi.free', 'a'::name)$$),
($$SELECT flp.exclude_field('bi.t', 'nope'::name)$$),
($$SELECT flp.exclude_field('bi.t', E'\t'::name)$$),
($$SELECT flp.exclude_field('bi.t', repeat('x', 10000)::name)$$),
($$SELECT flp.exclude_field('bi.u', 'c'::name)$$),
($$SELECT flp.exclude_field('bi.t', NULL::name[])$$),
($$SELECT flp.exclude_field('bi.t', '{}'::name[])$$),
($$SELECT flp.exclude_field('bi.t', ARRAY['a', NULL]::name[])$$),
($$SELECT flp.exclude_field('bi.t', ARRAY['a', 'nope']::name[])$$),
($$SELECT flp.exclude_field(NULL, ARRAY['a']::name[])$$),
-- include_field
($$SELECT flp.include_field(NULL, 'b')$$),
($$SELECT flp.include_field('bi.t', NULL)$$),
($$SELECT flp.include_field('bi.t', 'a')$$),
($$SELECT flp.include_field('bi.free', 'a')$$),
-- set_mask
($$SELECT flp.set_mask(NULL, 'a', 'flp.mask_email(text)')$$),
($$SELECT flp.set_mask('bi.t', NULL, 'flp.mask_email(text)')$$),
($$SELECT flp.set_mask('bi.t', 'a', 99999::regprocedure)$$),
($$SELECT flp.set_mask('bi.t', 'a', 'flp.nope(text)')$$),
($$SELECT flp.set_mask('bi.t', 'id', 'flp.mask_email(text)')$$),
($$SELECT flp.set_mask('bi.t', 'a', 'bi.volatile_mask(text)')$$),
($$SELECT flp.set_mask('bi.t', 'nope', 'flp.mask_email(text)')$$),
-- inherit_field
($$SELECT flp.inherit_field(NULL, 'a', 'bi.u', 'c')$$),
($$SELECT flp.inherit_field('bi.t', NULL, 'bi.u', 'c')$$),
($$SELECT flp.inherit_field('bi.t', 'a', NULL, 'c')$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.u', NULL)$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.t', 'a')$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.u', 'c')$$),
($$SELECT flp.inherit_field('bi.t', 'a' COLLATE "POSIX", 'bi.u', 'c')$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.u', 'c' COLLATE "POSIX")$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.u', 'nope')$$),
($$SELECT flp.inherit_field('bi.t', 'a', 'bi.free', 'a')$$),
($$SELECT flp.inherit_field('bi.t', 'b', 'bi.u', 'c')$$),
($$SELECT flp.inherit_field('bi.free', 'a', 'bi.t', 'a')$$),
-- register_user, unregister_user, set_seats
($$SELECT flp.register_user(NULL)$$),
($$SELECT flp.register_user('regress_bi_plain', NULL)$$),
($$SELECT flp.register_user('regress_bi_plain', 'full', NULL)$$),
($$SELECT flp.register_user('regress_bi_plain', 'full', '[1]')$$),
($$SELECT flp.register_user('regress_bi_plain', 'full', '{}', 'nope')$$),
($$SELECT flp.register_user('regress_bi_plain', 'viewer', '{}', 'P')$$),
($$SELECT flp.register_user('regress_bi_nope')$$),
($$SELECT flp.register_user(99999::regrole)$$),
($$SELECT flp.register_user('regress_bi_plain', 'nope')$$),
($$SELECT flp.unregister_user(NULL)$$),
($$SELECT flp.unregister_user('regress_bi_plain')$$),
($$SELECT flp.set_seats(NULL, 1)$$),
($$SELECT flp.set_seats('full', -1)$$),
($$SELECT flp.set_seats('full', 0)$$),
-- add_partner, drop_partner
($$SELECT flp.add_partner(NULL)$$),
($$SELECT flp.add_partner('')$$),
($$SELECT flp.add_partner(E'\t\n')$$),
($$SELECT flp.add_partner(' P')$$),
($$SELECT flp.add_partner(repeat('x', 10000))$$),
($$SELECT flp.drop_partner(NULL)$$),
($$SELECT flp.drop_partner('nope')$$),
($$SELECT flp.drop_partner(repeat('x', 10000))$$),
($$SELECT flp.drop_partner('P')$$),
-- create_bundle, drop_bundle, rename_bundle, clone_bundle
($$SELECT flp.create_bundle(NULL)$$),
($$SELECT flp.create_bundle('C', NULL)$$),
($$SELECT flp.create_bundle('C', 'internal', NULL)$$),
($$SELECT flp.create_bundle(E'\t')$$),
($$SELECT flp.create_bundle(E'a\nb')$$),
($$SELECT flp.create_bundle(repeat('x', 10000))$$),
($$SELECT flp.create_bundle('B')$$),
($$SELECT flp.create_bundle('C', 'partner', 'viewer')$$),
($$SELECT flp.create_bundle('C', 'nope')$$),
($$SELECT flp.drop_bundle(NULL)$$),
($$SELECT flp.drop_bundle('nope')$$),
($$SELECT flp.drop_bundle(repeat('x', 10000))$$),
($$SELECT flp.drop_bundle('Default_Partner_Bundle')$$),
($$SELECT flp.rename_bundle(NULL, 'C')$$),
($$SELECT flp.rename_bundle('B', NULL)$$),
($$SELECT flp.rename_bundle('nope', 'C')$$),
($$SELECT flp.rename_bundle('B', 'PB')$$),
($$SELECT flp.rename_bundle('B', E'\n')$$),
($$SELECT flp.rename_bundle('B', repeat('x', 10000))$$),
($$SELECT flp.rename_bundle('Default_Partner_Bundle', 'C')$$),
($$SELECT flp.clone_bundle(NULL, 'C')$$),
($$SELECT flp.clone_bundle('B', NULL)$$),
($$SELECT flp.clone_bundle('nope', 'C')$$),
($$SELECT flp.clone_bundle('B', 'PB')$$),
($$SELECT flp.clone_bundle('B', ' C')$$),
($$SELECT flp.clone_bundle('Default_Partner_Bundle', 'C')$$),
-- set_permission (one field, several), clear_permission
($$SELECT flp.set_permission(NULL, 'bi.t', 'a', 'read')$$),
($$SELECT flp.set_permission('B', NULL, 'a', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', 'a', NULL)$$),
($$SELECT flp.set_permission('nope', 'bi.t', 'a', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.free', 'a', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', 'nope', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', 'b', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.u', 'c', 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', 'a', 'nope')$$),
($$SELECT flp.set_permission('Default_Partner_Bundle', 'bi.t', NULL, 'read')$$),
($$SELECT flp.set_permission('PB', 'bi.u', NULL, 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', NULL::name[], 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', '{}'::name[], 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', ARRAY[NULL]::name[], 'read')$$),
($$SELECT flp.set_permission('B', 'bi.t', ARRAY['a', 'nope']::name[], 'read')$$),
($$SELECT flp.set_permission(NULL, 'bi.t', ARRAY['a']::name[], 'read')$$),
($$SELECT flp.clear_permission(NULL, 'bi.t')$$),
($$SELECT flp.clear_permission('B', NULL)$$),
($$SELECT flp.clear_permission('nope', 'bi.t')$$),
($$SELECT flp.clear_permission('B', 'bi.free')$$),
($$SELECT flp.clear_permission('B', 'bi.t', 'nope')$$),
($$SELECT flp.clear_permission('Default_Partner_Bundle', 'bi.t')$$),
-- assign, unassign
($$SELECT flp.assign(NULL, 'regress_bi_plain')$$),
($$SELECT flp.assign('B', NULL)$$),
($$SELECT flp.assign('nope', 'regress_bi_plain')$$),
($$SELECT flp.assign('PB', 'regress_bi_plain')$$),
($$SELECT flp.assign('B', 99999::regrole)$$),
($$SELECT flp.unassign(NULL, 'regress_bi_plain')$$),
($$SELECT flp.unassign('B', NULL)$$),
($$SELECT flp.unassign('nope', 'regress_bi_plain')$$),
($$SELECT flp.unassign('B', 'regress_bi_user')$$),
-- add_rule, drop_rule
($$SELECT flp.add_rule(NULL, '{}')$$),
($$SELECT flp.add_rule('B', NULL)$$),
($$SELECT flp.add_rule('B', '[1]')$$),
($$SELECT flp.add_rule('nope', '{}')$$),
($$SELECT flp.add_rule('PB', '{}')$$),
($$SELECT flp.add_rule('B', '{"region": "emea"}')$$),
($$SELECT flp.drop_rule(NULL)$$),
($$SELECT flp.drop_rule(-1)$$),
-- introspection (STRICT: NULL gives NULL)
($$SELECT flp.effective(NULL, 'a')$$),
($$SELECT flp.effective('bi.t', 'nope')$$),
($$SELECT flp.effective('bi.t', 'a', 99999::regrole)$$),
($$SELECT flp.explain('bi.t', NULL)$$),
($$SELECT flp.explain('bi.t', 'nope')$$),
($$SELECT flp.effective_permissions(NULL)$$),
($$SELECT flp.effective_permissions(99999::regrole)$$),
($$SELECT flp.bundles(NULL)$$),
($$SELECT flp.bundles(99999::regrole)$$),
($$SELECT flp.preview(NULL)$$),
($$SELECT flp.preview('nope')$$),
($$SELECT flp.attribute(NULL)$$),
($$SELECT flp.permission_matrix(ARRAY[NULL]::regrole[])$$),
($$SELECT flp.permission_matrix(ARRAY['regress_bi_plain', NULL]::regrole[])$$),
($$SELECT flp.is_super_admin(NULL)$$),
($$SELECT flp.mask_email(NULL)$$),
($$SELECT flp.mask_last4(NULL)$$),
($$SELECT flp.mask_hash(NULL)$$),
-- partners
($$SELECT flp.define_area(NULL, ARRAY['bi.t']::regclass[])$$),
($$SELECT flp.define_area('nope', ARRAY['bi.t']::regclass[])$$),
($$SELECT flp.define_area(repeat('x', 10000), ARRAY['bi.t']::regclass[])$$),
($$SELECT flp.define_area(E'\t', ARRAY['bi.t']::regclass[])$$),
($$SELECT flp.define_area('home', NULL)$$),
($$SELECT flp.define_area('home', ARRAY[NULL]::regclass[])$$),
($$SELECT flp.define_area('home', ARRAY['bi.free']::regclass[])$$),
($$SELECT flp.define_area('home', ARRAY['pg_class']::regclass[])$$),
($$SELECT flp.assign_partner_bundle(NULL, 'PB')$$),
($$SELECT flp.assign_partner_bundle('P', NULL)$$),
($$SELECT flp.assign_partner_bundle('nope', 'PB')$$),
($$SELECT flp.assign_partner_bundle('P', 'nope')$$),
($$SELECT flp.assign_partner_bundle('P', 'B')$$),
($$SELECT flp.partner_scope(NULL, 'k')$$),
($$SELECT flp.partner_scope('bi.t', NULL)$$),
($$SELECT flp.partner_scope('bi.t', 'nope')$$),
($$SELECT flp.partner_scope('bi.free', 'a')$$),
($$SELECT flp.unscope(NULL)$$),
($$SELECT flp.unscope('bi.u')$$),
($$SELECT flp.assign_record(NULL, 'bi.t', '1')$$),
($$SELECT flp.assign_record('P', NULL, '1')$$),
($$SELECT flp.assign_record('P', 'bi.t', NULL)$$),
($$SELECT flp.assign_record('nope', 'bi.t', '1')$$),
($$SELECT flp.assign_record('P', 'bi.u', '1')$$),
($$SELECT flp.assign_record('P', 'bi.t', '1', 'regress_bi_plain')$$),
($$SELECT flp.assign_record('P', 'bi.t', repeat('x', 10000))$$),
($$SELECT flp.unassign_record(NULL, 'bi.t', '1')$$),
($$SELECT flp.unassign_record('P', 'bi.t', NULL)$$),
($$SELECT flp.unassign_record('P', 'bi.t', '2')$$),
($$SELECT flp.unassign_record('P', 'bi.t', repeat('x', 10000))$$),
($$SELECT flp.link_records(NULL, 't_id', 'bi.t')$$),
($$SELECT flp.link_records('bi.u', NULL, 'bi.t')$$),
($$SELECT flp.link_records('bi.u', 't_id', NULL)$$),
($$SELECT flp.link_records('bi.u', 'nope', 'bi.t')$$),
($$SELECT flp.link_records('bi.u', 't_id', 'bi.u')$$),
($$SELECT flp.link_records('bi.u', 't_id', 'bi.free')$$),
($$SELECT flp.link_records('bi.u', 't_id', 'bi.nokey')$$),
($$SELECT flp.unlink_records(NULL)$$),
($$SELECT flp.unlink_records('bi.u')$$),
-- data rules
($$SELECT flp.add_data_rule(NULL, 'true')$$),
($$SELECT flp.add_data_rule('bi.u', NULL)$$),
($$SELECT flp.add_data_rule('bi.u', '')$$),
($$SELECT flp.add_data_rule('bi.u', E' \t\n')$$),
($$SELECT flp.add_data_rule('bi.u', 'true', NULL)$$),
($$SELECT flp.add_data_rule('bi.u', 'true', 'hide')$$),
($$SELECT flp.add_data_rule('bi.u', 'true', 'read', 'nope')$$),
($$SELECT flp.add_data_rule('bi.free', 'true')$$),
($$SELECT flp.add_data_rule('bi.u', 'c = ')$$),
($$SELECT flp.add_data_rule('bi.u', 'c')$$),
($$SELECT flp.add_data_rule('bi.u', 'nope = 1')$$),
($$SELECT flp.add_data_rule('bi.u', 'c = 1')$$),
($$SELECT flp.add_data_rule('bi.u', 'c IN (SELECT a FROM bi.t)')$$),
($$SELECT flp.add_data_rule('bi.u', 'true; DROP TABLE bi.t')$$),
($$SELECT flp.add_data_rule('bi.u', 'c = ''x''', 'read', 'B')$$),
($$SELECT flp.drop_data_rule(NULL)$$),
($$SELECT flp.drop_data_rule(-1)$$),
($$SELECT flp.explain_record(NULL, '1')$$),
-- preview and mandatory fields on updates
($$SELECT flp.preview_change(NULL)$$),
($$SELECT flp.preview_change('')$$),
($$SELECT flp.preview_change('SELECT flp.protect(NULL)')$$),
($$SELECT flp.preview_change('ROLLBACK')$$),
($$SELECT flp.preview_change('COPY bi.t FROM STDIN')$$),
($$SELECT flp.set_mandatory_on_update(NULL)$$),
($$SELECT flp.set_mandatory_on_update('bi.t', NULL)$$),
($$SELECT flp.set_mandatory_on_update('bi.free')$$),
($$SELECT flp.set_mandatory_on_update('bi.v')$$),
($$SELECT flp.publish_view(NULL)$$),
($$SELECT flp.publish_view('bi.t')$$),
($$SELECT flp.publish_view('bi.nosuch')$$),
($$SELECT flp.unpublish_view(NULL)$$),
($$SELECT flp.unpublish_view('bi.v')$$),
($$SELECT flp.unpublish_view('bi.t')$$),
($$SELECT flp.explain_record('bi.t', NULL)$$),
($$SELECT flp.explain_record('bi.t', '1', NULL)$$),
($$SELECT flp.explain_record('bi.free', '1')$$),
($$SELECT flp.explain_record('bi.nokey', '1')$$),
-- audit, security check, the functions of policies
($$SELECT flp.purge_audit(NULL)$$),
($$SELECT flp.security_check()$$),
($$SELECT length(flp.export_config()) > 0$$),
($$SELECT flp.column_permissions(NULL)$$),
($$SELECT flp.column_permissions('bi.v')$$),
($$SELECT flp.has_bundle(NULL)$$),
($$SELECT flp.record_visible(NULL, '1')$$),
($$SELECT flp.is_partner_user()$$),
($$SELECT flp.current_partner()$$),
($$SELECT flp.is_subject()$$),
($$SELECT flp.guard()$$);

-- every public function has bad input above
SELECT p.oid::regprocedure AS untested_function
  FROM pg_proc p
 WHERE p.pronamespace = 'flp'::regnamespace AND p.proname !~ '^_'
   AND NOT EXISTS (SELECT 1 FROM bi.calls c WHERE strpos(c.call, 'flp.' || p.proname || '(') > 0)
 ORDER BY 1;

SELECT bi.fingerprint() AS before \gset
CREATE TABLE bi.result (n int, call text, result text);
INSERT INTO bi.result SELECT n, call, bi.try(call) FROM bi.calls ORDER BY n;
-- (rule ids come from a sequence other suites move too)
SELECT call, regexp_replace(result, '(rule) \d+', '\1 N', 'g') AS result FROM bi.result ORDER BY n;
SELECT bi.fingerprint() = :'before' AS catalog_unchanged;
SELECT count(*) AS calls, count(*) FILTER (WHERE result ~ '^XX') AS internal_errors FROM bi.result;

-- the same as a super admin who is not a superuser
SET ROLE regress_bi_admin;
SELECT call, bi.try(call) FROM bi.calls
 WHERE call ~ 'pg_class|information_schema|flp\.bundle''|bi_tmp|COLLATE|repeat' ORDER BY n;
RESET ROLE;
SELECT bi.fingerprint() = :'before' AS catalog_unchanged;

-- and as a role that is not a super admin: refused (42501) before any check
SET ROLE regress_bi_plain;
SELECT left(call, 60) AS call, bi.try(call) FROM bi.calls
 WHERE call ~ 'flp\.(protect|unprotect|exclude_field|set_mask|inherit_field|register_user|create_bundle|add_data_rule|define_area|preview|preview_change|set_mandatory_on_update|permission_matrix|purge_audit|security_check)\(NULL'
 ORDER BY n;
RESET ROLE;
SELECT bi.fingerprint() = :'before' AS catalog_unchanged;

-- clean up
SET client_min_messages = warning;
SELECT flp.unprotect('bi.u'), flp.unprotect('bi.t'), flp.unprotect('bi.nokey');
SELECT flp.unregister_user('regress_bi_user');
SELECT flp.drop_bundle('B'), flp.drop_bundle('PB');
SELECT flp.drop_partner('P');
SELECT flp.define_area('home', '{}');
RESET client_min_messages;
DROP SCHEMA bi CASCADE;
DROP TABLE bi_tmp;
DROP ROLE regress_bi_admin, regress_bi_plain, regress_bi_user;
