-- introspection: flp.explain answers "why is this field hidden for her?";
-- flp.effective_permissions, flp.bundles, flp.preview, flp.attribute; who
-- may ask about whom.
\set SHOW_CONTEXT never

CREATE TABLE public.accounts (id int PRIMARY KEY, name text, ssn text, email text, arr numeric);
CREATE TABLE public.notes (id int, body text, arr numeric);
CREATE TABLE public.free (id int);
CREATE ROLE regress_team NOLOGIN;
CREATE ROLE regress_anna LOGIN IN ROLE regress_team;
CREATE ROLE regress_vera LOGIN;
CREATE ROLE regress_bob LOGIN;
CREATE ROLE regress_pat LOGIN;
CREATE ROLE regress_admin LOGIN IN ROLE flp_admin;

SELECT flp.protect('accounts');
SELECT flp.protect('notes', 'read');
SELECT flp.exclude_field('accounts', 'id');
SELECT flp.create_bundle('Sales');
SELECT flp.set_permission('Sales', 'accounts', NULL, 'edit');
SELECT flp.set_permission('Sales', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Sales', 'accounts', 'email', 'read');
SELECT flp.assign('Sales', 'regress_team');
SELECT flp.create_bundle('Support');
SELECT flp.set_permission('Support', 'accounts', NULL, 'read');
SELECT flp.add_rule('Support', '{"team": "support"}') AS support_rule \gset
SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'accounts', NULL, 'edit');
SELECT flp.add_rule('Viewers', '{"region": "emea"}') AS viewer_rule \gset
SELECT flp.register_user('regress_anna', 'full', '{"team": "support", "region": "emea"}');
SELECT flp.register_user('regress_vera', 'viewer', '{"region": "emea"}');
SELECT flp.inherit_field('notes', 'arr', 'accounts', 'ssn');
SELECT flp.add_partner('Acme');
SELECT flp.register_user('regress_pat', 'full', '{}', 'Acme');

-- why is ssn hidden for anna? (two bundles, one via her group, one via a
-- rule; a viewer bundle matched by a rule but ignored for her license)
SELECT step, source, regexp_replace(detail, 'rule \d+', 'rule N') AS detail, permission
  FROM flp.explain('accounts', 'ssn', 'regress_anna');
SELECT step, source, regexp_replace(detail, 'rule \d+', 'rule N') AS detail, permission
  FROM flp.explain('accounts', 'email', 'regress_anna');
-- the license cap
SELECT step, source, regexp_replace(detail, 'rule \d+', 'rule N') AS detail, permission
  FROM flp.explain('accounts', 'name', 'regress_vera');
-- the table default
SELECT * FROM flp.explain('accounts', 'name', 'regress_bob');
-- inheritance
SELECT * FROM flp.explain('notes', 'arr', 'regress_bob');
SELECT step, source, regexp_replace(detail, 'rule \d+', 'rule N') AS detail, permission
  FROM flp.explain('notes', 'arr', 'regress_anna');
-- excluded fields and super admins
SELECT * FROM flp.explain('accounts', 'id', 'regress_bob');
SELECT * FROM flp.explain('accounts', 'ssn', 'regress_admin');
SELECT * FROM flp.explain('accounts', 'ssn', 'postgres');
-- a partner user
SELECT * FROM flp.explain('accounts', 'ssn', 'regress_pat');
-- a table that is not governed
SELECT * FROM flp.explain('free', 'id', 'regress_bob');

-- explain always agrees with effective
SELECT r.rolname, a.attrelid::regclass, a.attname
  FROM pg_roles r, pg_attribute a
 WHERE r.rolname IN ('regress_anna', 'regress_vera', 'regress_bob', 'regress_pat', 'regress_admin')
   AND a.attrelid IN ('accounts'::regclass, 'notes'::regclass) AND a.attnum > 0
   AND flp.effective(a.attrelid, a.attname, r.oid::regrole) IS DISTINCT FROM
       (SELECT e.permission FROM flp.explain(a.attrelid, a.attname, r.oid::regrole) e
         ORDER BY e.step DESC LIMIT 1);

-- every field of every governed table
SELECT * FROM flp.effective_permissions('regress_anna') ORDER BY tbl::text, field;
SELECT * FROM flp.effective_permissions('regress_bob') ORDER BY tbl::text, field;

-- the bundles that apply, and why
SELECT bundle, regexp_replace(source, 'rule \d+', 'rule N') AS source
  FROM flp.bundles('regress_anna') ORDER BY bundle;
SELECT * FROM flp.bundles('regress_bob');
SELECT * FROM flp.bundles('regress_pat');

-- the roles a bundle applies to now
SELECT * FROM flp.preview('Sales');
SELECT * FROM flp.preview('Support');
SELECT * FROM flp.preview('Viewers');
SELECT * FROM flp.preview('Default_Partner_Bundle');
SELECT regress.try($$SELECT * FROM flp.preview('nope')$$);

-- the current user's attributes
SET ROLE regress_anna;
SELECT flp.attribute('team') AS team, flp.attribute('region') AS region,
       flp.attribute('nope') IS NULL AS absent;
RESET ROLE;
SET ROLE regress_bob;
SELECT flp.attribute('team') IS NULL AS unregistered;

-- who may ask: everybody about themselves (default: current_user) ...
SELECT flp.effective('accounts', 'ssn');
SELECT count(*) > 0 AS own_explain FROM flp.explain('accounts', 'ssn');
SELECT count(*) AS own_fields FROM flp.effective_permissions();
-- ... but not about others
SELECT regress.try($$SELECT flp.effective('accounts', 'ssn', 'regress_anna')$$);
SELECT regress.try($$SELECT * FROM flp.explain('accounts', 'ssn', 'regress_anna')$$);
SELECT regress.try($$SELECT * FROM flp.effective_permissions('regress_anna')$$);
SELECT regress.try($$SELECT * FROM flp.bundles('regress_anna')$$);
RESET ROLE;
-- a member may ask about its group (it has the group's privileges)
SET ROLE regress_anna;
SELECT flp.effective('accounts', 'ssn', 'regress_team');
RESET ROLE;
-- super admins may ask about anyone
SET ROLE regress_admin;
SELECT flp.effective('accounts', 'ssn', 'regress_anna');
RESET ROLE;

-- views: a view's column answers for the fields it is computed from,
-- through nested views, joins, subqueries and sublinks
CREATE VIEW public.acct_report AS
	SELECT a.id, a.name AS customer, upper(a.email) AS contact, a.arr + n.arr AS total,
		   (SELECT max(x.ssn) FROM accounts x WHERE x.id = a.id) AS tax, 1 AS one
	  FROM accounts a JOIN notes n ON n.id = a.id;
CREATE VIEW public.acct_summary AS SELECT customer, total, tax FROM acct_report;
GRANT SELECT ON public.acct_report, public.acct_summary TO PUBLIC;
SELECT field, flp.effective('acct_report', field, 'regress_bob') AS bob,
	   flp.effective('acct_report', field, 'regress_anna') AS anna
  FROM unnest('{id,customer,contact,total,tax,one}'::name[]) field;
SELECT step, source, regexp_replace(detail, 'rule \d+', 'rule N') AS detail, permission
  FROM flp.explain('acct_summary', 'total', 'regress_anna');
SELECT step, source, detail, permission FROM flp.explain('acct_report', 'one', 'regress_anna');
-- what a BI tool asks, as the user
SET ROLE regress_anna;
SELECT * FROM flp.column_permissions('acct_summary');
SELECT * FROM flp.column_permissions('accounts');
RESET ROLE;
SELECT count(*) AS nothing FROM flp.column_permissions(NULL);
DROP VIEW public.acct_summary, public.acct_report;

-- clean up
SELECT flp.unprotect('notes');
SELECT flp.unprotect('accounts');
SELECT flp.drop_bundle(name) FROM flp.bundle WHERE NOT system ORDER BY name;
SELECT flp.unregister_user(role) FROM flp.registered_user ORDER BY role::text;
DELETE FROM flp.partner;
DROP TABLE public.accounts, public.notes, public.free;
DROP ROLE regress_team, regress_anna, regress_vera, regress_bob, regress_pat, regress_admin;
