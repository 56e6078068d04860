-- evaluate: every rule of "How permissions are decided" (README), through flp.effective().
\set SHOW_CONTEXT never

CREATE TABLE public.accounts (id int PRIMARY KEY, name text, ssn text, email text,
                              arr numeric, region text);
CREATE TABLE public.notes (id int, account_id int, body text, arr numeric, mirror numeric);
CREATE TABLE public.free (id int, secret text);   -- never governed

CREATE ROLE regress_team NOLOGIN;
CREATE ROLE regress_member LOGIN IN ROLE regress_team;
CREATE ROLE regress_noinherit LOGIN NOINHERIT IN ROLE regress_team;
CREATE ROLE regress_subteam NOLOGIN IN ROLE regress_team;
CREATE ROLE regress_nested LOGIN IN ROLE regress_subteam;
CREATE ROLE regress_plain LOGIN;
CREATE ROLE regress_both LOGIN;
CREATE ROLE regress_viewer LOGIN;
CREATE ROLE regress_analyst LOGIN;
CREATE ROLE regress_na LOGIN;
CREATE ROLE regress_admin LOGIN IN ROLE flp_admin;
CREATE ROLE regress_admin_noinherit LOGIN NOINHERIT IN ROLE flp_admin;
CREATE ROLE regress_super SUPERUSER;
CREATE ROLE regress_partner_user LOGIN;
CREATE ROLE regress_partner_user2 LOGIN;

-- the permissions of every field of a table for a list of roles
CREATE FUNCTION regress.matrix(tbl regclass, roles text[])
RETURNS TABLE (role text, permissions text) LANGUAGE sql AS $$
	SELECT r, string_agg(a.attname || '=' || flp.effective(tbl, a.attname, r::regrole),
						 ' ' ORDER BY a.attnum)
	  FROM unnest(roles) WITH ORDINALITY AS u(r, n)
	  JOIN pg_attribute a ON a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
	 GROUP BY r, n ORDER BY n
$$;

SELECT flp.protect('accounts');            -- default hide
SELECT flp.protect('notes', 'read');       -- default read
SELECT flp.exclude_field('accounts', 'id');

-- 4. no bundle grants the table: the table's default, for every non-excluded field
SELECT * FROM regress.matrix('accounts', '{regress_plain}');
SELECT * FROM regress.matrix('notes', '{regress_plain}');
-- a table that is not governed is untouched
SELECT flp.effective('free', 'secret', 'regress_plain');

-- 1. super admins: superusers, and roles with the privileges of flp_admin
SELECT * FROM regress.matrix('accounts', '{regress_super,regress_admin,regress_admin_noinherit}');
SELECT flp.is_super_admin('regress_admin') AS admin,
       flp.is_super_admin('regress_admin_noinherit') AS admin_noinherit,
       flp.is_super_admin('flp_admin') AS flp_admin,
       flp.is_super_admin('regress_plain') AS plain;

-- 3. a bundle that grants the table: field setting, else table level, never above it
SELECT flp.create_bundle('Team');
SELECT flp.set_permission('Team', 'accounts', NULL, 'read');
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Team', 'accounts', 'email', 'edit');   -- capped at read
SELECT flp.assign('Team', 'regress_team');
-- 2. bundles assigned to a group role apply to its members (that inherit its
-- privileges), also through nested groups
SELECT * FROM regress.matrix('accounts',
	'{regress_team,regress_member,regress_nested,regress_noinherit,regress_plain}');

-- union over bundles: the least restrictive wins, field by field
SELECT flp.create_bundle('A');
SELECT flp.create_bundle('B');
SELECT flp.set_permission('A', 'accounts', NULL, 'edit');
SELECT flp.set_permission('A', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('A', 'accounts', 'email', 'read');
SELECT flp.set_permission('B', 'accounts', NULL, 'read');
SELECT flp.set_permission('B', 'accounts', 'ssn', 'read');
SELECT flp.set_permission('B', 'accounts', 'email', 'hide');
SELECT flp.set_permission('B', 'accounts', 'name', 'hide');
SELECT flp.assign('A', 'regress_both');
SELECT * FROM regress.matrix('accounts', '{regress_both}');
SELECT flp.assign('B', 'regress_both');
SELECT * FROM regress.matrix('accounts', '{regress_both}');
-- a bundle granting only another table does not count for this one: the
-- default applies to notes for regress_both
SELECT * FROM regress.matrix('notes', '{regress_both}');
SELECT flp.set_permission('B', 'notes', NULL, 'hide');
SELECT * FROM regress.matrix('notes', '{regress_both}');

-- criteria rules over registered attributes (attributes @> criteria)
SELECT flp.register_user('regress_viewer', 'viewer', '{"region": "emea", "team": "csm"}');
SELECT flp.register_user('regress_analyst', 'viewer_analytics', '{"region": "emea"}');
SELECT flp.register_user('regress_na', 'full', '{"region": "na", "level": 3}');
SELECT flp.create_bundle('EMEA viewers', license => 'viewer');
SELECT flp.set_permission('EMEA viewers', 'accounts', NULL, 'edit');
SELECT flp.set_permission('EMEA viewers', 'accounts', 'ssn', 'hide');
SELECT flp.add_rule('EMEA viewers', '{"region": "emea"}') AS r1 \gset
SELECT flp.create_bundle('NA level 3');
SELECT flp.set_permission('NA level 3', 'accounts', NULL, 'edit');
SELECT flp.add_rule('NA level 3', '{"region": "na", "level": 3}') AS r2 \gset
-- 5. license cap: viewer licenses get at most read, whatever the bundles say
-- (and a bundle of another license does not apply: the analyst gets nothing)
SELECT * FROM regress.matrix('accounts', '{regress_viewer,regress_analyst,regress_na,regress_plain}');
-- a viewer_analytics bundle for the analyst
SELECT flp.create_bundle('Analysts', license => 'viewer_analytics');
SELECT flp.set_permission('Analysts', 'accounts', NULL, 'edit');
SELECT flp.add_rule('Analysts', '{"region": "emea"}') AS r3 \gset
SELECT * FROM regress.matrix('accounts', '{regress_viewer,regress_analyst}');
-- a full-license bundle assigned manually to a viewer is ignored
SELECT flp.assign('A', 'regress_viewer');
SELECT * FROM regress.matrix('accounts', '{regress_viewer}');
-- an empty criteria object matches everyone of the bundle's license,
-- registered or not
SELECT flp.create_bundle('Everyone');
SELECT flp.set_permission('Everyone', 'accounts', NULL, 'read');
SELECT flp.add_rule('Everyone', '{}') AS r4 \gset
SELECT * FROM regress.matrix('accounts', '{regress_plain,regress_na,regress_viewer}');
SELECT flp.drop_rule(:r4);
-- changing a user's attributes changes the rules that match
SELECT flp.register_user('regress_na', 'full', '{"region": "na", "level": 2}');
SELECT * FROM regress.matrix('accounts', '{regress_na}');
-- unregistering makes the user an internal full user without attributes
SELECT flp.unregister_user('regress_viewer');
SELECT * FROM regress.matrix('accounts', '{regress_viewer}');

-- 6. inherited fields: the minimum of the field's own result and its source's
SELECT flp.set_permission('Team', 'notes', NULL, 'edit');
SELECT * FROM regress.matrix('notes', '{regress_member}');
SELECT flp.inherit_field('notes', 'arr', 'accounts', 'arr');
SELECT * FROM regress.matrix('notes', '{regress_member}');
-- chains: notes.mirror -> notes.arr -> accounts.arr
SELECT flp.inherit_field('notes', 'mirror', 'notes', 'arr');
SELECT * FROM regress.matrix('notes', '{regress_member,regress_both,regress_plain}');
-- the source more open than the field: the field's own result stays
SELECT flp.set_permission('Team', 'accounts', 'arr', 'read');
SELECT flp.set_permission('Team', 'notes', 'arr', 'hide');
SELECT * FROM regress.matrix('notes', '{regress_member}');
-- a source field that is excluded is edit for everyone
SELECT flp.inherit_field('notes', 'body', 'accounts', 'id');
SELECT * FROM regress.matrix('notes', '{regress_member,regress_plain}');
-- super admins ignore inheritance like everything else
SELECT * FROM regress.matrix('notes', '{regress_admin}');

-- excluded fields are never restricted, also when a bundle hid them before
SELECT flp.exclude_field('accounts', 'region');
SELECT * FROM regress.matrix('accounts', '{regress_plain,regress_member}');

-- partner users: their partner's bundle, or Default_Partner_Bundle; internal
-- bundles assigned to them are ignored
SELECT flp.add_partner('Acme');
SELECT flp.add_partner('Globex');
SELECT flp.register_user('regress_partner_user', 'full', '{}', 'Acme');
SELECT flp.register_user('regress_partner_user2', 'full', '{"region": "emea"}', 'Globex');
SELECT flp.assign('A', 'regress_partner_user');
-- Default_Partner_Bundle grants Edit on every table of the partner areas;
-- partner bundles may grant only tables of those areas
SELECT * FROM regress.matrix('accounts', '{regress_partner_user,regress_partner_user2}');
SELECT flp.define_area('company_relationship', '{accounts}');
SELECT * FROM regress.matrix('accounts', '{regress_partner_user,regress_partner_user2}');
SELECT flp.create_bundle('Acme bundle', kind => 'partner');
SELECT regress.try($$SELECT flp.set_permission('Acme bundle', 'notes', NULL, 'read')$$);
SELECT flp.set_permission('Acme bundle', 'accounts', NULL, 'read');
SELECT flp.set_permission('Acme bundle', 'accounts', 'ssn', 'hide');
-- not yet assigned to Acme: its users still have Default_Partner_Bundle
SELECT * FROM regress.matrix('accounts', '{regress_partner_user,regress_partner_user2}');
SELECT flp.assign_partner_bundle('Acme', 'Acme bundle');
SELECT * FROM regress.matrix('accounts', '{regress_partner_user,regress_partner_user2}');
-- a table leaving the areas is no longer granted by partner bundles
SELECT flp.define_area('company_relationship', '{}');
SELECT * FROM regress.matrix('accounts', '{regress_partner_user,regress_partner_user2}');
SELECT flp.define_area('company_relationship', '{accounts}');
-- back to the default
SELECT flp.assign_partner_bundle('Acme', 'Default_Partner_Bundle');
SELECT * FROM regress.matrix('accounts', '{regress_partner_user}');
SELECT flp.assign_partner_bundle('Acme', 'Acme bundle');

-- a role with no registration and no bundles sees the defaults; dropping a
-- bundle takes its effect away at once
SELECT * FROM regress.matrix('accounts', '{regress_member}');
SELECT flp.drop_bundle('Team');
SELECT * FROM regress.matrix('accounts', '{regress_member}');

-- unknown things
SELECT regress.try($$SELECT flp.effective('accounts', 'nope', 'regress_plain')$$);
SELECT regress.try($$SELECT flp.effective('accounts', 'ctid', 'regress_plain')$$);
SELECT regress.try($$SELECT flp.effective('nope', 'id', 'regress_plain')$$);
SELECT regress.try($$SELECT flp.effective('accounts', 'id', 'regress_nobody')$$);
SELECT regress.try($$SELECT flp.effective(0::oid::regclass, 'id', 'regress_plain')$$);
SELECT regress.try($$SELECT flp.effective('accounts', 'id', 0::oid::regrole)$$);
SELECT flp.effective('accounts', 'id', NULL) IS NULL AS strict;

-- clean up
SELECT flp.unprotect('notes');
SELECT flp.unprotect('accounts');
SELECT flp.drop_bundle(name) FROM flp.bundle WHERE NOT system ORDER BY name;
SELECT flp.unregister_user(role) FROM flp.registered_user ORDER BY role::text;
DELETE FROM flp.partner;
DROP TABLE public.accounts, public.notes, public.free;
DROP ROLE regress_team, regress_member, regress_noinherit, regress_subteam, regress_nested,
	regress_plain, regress_both, regress_viewer, regress_analyst, regress_na, regress_admin,
	regress_admin_noinherit, regress_super, regress_partner_user, regress_partner_user2;
