-- test/demo/demo.sql: the flp demo (README command 1 runs it via test/demo.sh).
--
-- Run as a superuser with psql, in a database where "CREATE EXTENSION flp"
-- has been done and test/demo/schema.sql has been loaded.  It creates the demo
-- roles, governs the customer-success tables of schema "cs", builds four
-- permission bundles, hands them out (to a group role, by a criteria rule and
-- manually) and then prints what every role gets, and why.
--
-- Re-runnable: it first removes the demo roles and bundles it created before.
--
-- Every set-up statement is printed before it runs (\set ECHO queries);
-- the management functions' answers (a line each saying what it changed,
-- which the statement above it says already) go to /dev/null.

\set ON_ERROR_STOP 1
\set QUIET 1
\pset footer off
\pset border 2
\pset null '-'
SET client_min_messages = warning;

\echo
\echo '================================================================='
\echo ' flp demo: field-level permissions on a customer-success schema'
\echo '================================================================='
\echo
\echo 'Schema "cs": company, relationship, cta (calls to action),'
\echo 'opportunity, survey_response, and the view company_report.'
\echo 'Every demo user may SELECT/INSERT/UPDATE/DELETE them all through'
\echo 'the group role cs_users: flp never grants anything, it only takes'
\echo 'away, field by field.'

-------------------------------------------------------------------------------
-- 0. Start from a clean slate (only matters when the script is run again).
-------------------------------------------------------------------------------
\echo
\echo '(removing the demo roles and bundles of an earlier run, if any)'
DO $$
DECLARE
	demo_roles constant text[] := ARRAY['csm_carol', 'analyst_ann', 'exec_erik',
										'sales_sam', 'admin_ada', 'intern_ivy',
										'cs_team', 'partner_pia', 'partner_quinn'];
	r text;
BEGIN
	PERFORM flp.drop_bundle(b.name)
	   FROM flp.bundle b
	  WHERE b.name IN ('CSM', 'Analytics', 'Executive', 'Sales', 'Bluebird partners');
	PERFORM flp.unregister_user(u.role)
	   FROM flp.registered_user u
	  WHERE u.role::oid IN (SELECT oid FROM pg_roles WHERE rolname = ANY (demo_roles));
	DELETE FROM flp.partner WHERE name IN ('Redwood Consulting', 'Bluebird Services');
	DELETE FROM flp.assignment a
	 WHERE a.role::oid IN (SELECT oid FROM pg_roles WHERE rolname = ANY (demo_roles));
	FOR r IN SELECT rolname FROM pg_roles WHERE rolname = ANY (demo_roles) LOOP
		EXECUTE format('DROP OWNED BY %I', r);
		EXECUTE format('DROP ROLE %I', r);
	END LOOP;
END
$$;

-------------------------------------------------------------------------------
-- 1. Roles.  Ordinary PostgreSQL roles; the privileges come from cs_users.
-------------------------------------------------------------------------------
\echo
\echo '--- 1. Roles -----------------------------------------------------'
\echo '  role         who                                      flp license'
\echo '  cs_team      group role of the customer success team  -  (NOLOGIN)'
\echo '  csm_carol    CSM in EMEA, member of cs_team           full'
\echo '  analyst_ann  data analyst in North America            viewer_analytics'
\echo '  exec_erik    executive, reads dashboards              viewer'
\echo '  sales_sam    account executive                        full'
\echo '  admin_ada    member of flp_admin: a super admin       (not needed)'
\echo '  intern_ivy   a role flp was never told about          (counts as full)'

\echo
\set ECHO queries
CREATE ROLE cs_team NOLOGIN;
CREATE ROLE csm_carol LOGIN IN ROLE cs_team, cs_users;
CREATE ROLE analyst_ann LOGIN IN ROLE cs_users;
CREATE ROLE exec_erik LOGIN IN ROLE cs_users;
CREATE ROLE sales_sam LOGIN IN ROLE cs_users;
CREATE ROLE admin_ada LOGIN IN ROLE flp_admin, cs_users;
CREATE ROLE intern_ivy LOGIN IN ROLE cs_users;

COMMENT ON ROLE cs_team IS 'flp demo: the customer success team';
COMMENT ON ROLE csm_carol IS 'flp demo: customer success manager (EMEA)';
COMMENT ON ROLE analyst_ann IS 'flp demo: data analyst (North America)';
COMMENT ON ROLE exec_erik IS 'flp demo: executive with a viewer license';
COMMENT ON ROLE sales_sam IS 'flp demo: account executive';
COMMENT ON ROLE admin_ada IS 'flp demo: flp super admin';
COMMENT ON ROLE intern_ivy IS 'flp demo: a role flp knows nothing about';
\set ECHO none

-------------------------------------------------------------------------------
-- 2. Govern the tables.  Fields nobody is granted fall back to the table's
--    default permission; keys and audit columns are excluded (never
--    restricted).
-------------------------------------------------------------------------------
\echo
\echo '--- 2. Governed tables -------------------------------------------'
\echo '  flp.protect() each cs table (default: hide; cs.cta: read; the'
\echo '  integer primary keys stay unrestricted),'
\echo '  flp.exclude_field() the foreign keys and created_at,'
\echo '  flp.inherit_field(): relationship.arr is never more visible'
\echo '  than company.arr (a lookup field mirroring its company).'

\echo
\o /dev/null
\set ECHO queries
SELECT flp.protect('cs.company');
SELECT flp.protect('cs.relationship');
SELECT flp.protect('cs.cta', 'read');
SELECT flp.protect('cs.opportunity');
SELECT flp.protect('cs.survey_response', default_permission => 'hide');

SELECT flp.exclude_field('cs.company', 'created_at');
SELECT flp.exclude_field('cs.relationship', 'company_id');
SELECT flp.exclude_field('cs.cta', 'company_id');
SELECT flp.exclude_field('cs.opportunity', 'company_id');
SELECT flp.exclude_field('cs.survey_response', 'company_id');

SELECT flp.inherit_field('cs.relationship', 'arr', 'cs.company', 'arr');
\set ECHO none
\o

-------------------------------------------------------------------------------
-- 3. Users: license types, seats and attributes for the criteria rules.
-------------------------------------------------------------------------------
\echo
\echo '--- 3. Licenses and attributes ----------------------------------'

\echo
\o /dev/null
\set ECHO queries
SELECT flp.set_seats('viewer', 5);
SELECT flp.set_seats('viewer_analytics', 2);

SELECT flp.register_user('csm_carol', 'full', '{"region":"emea","team":"csm"}');
SELECT flp.register_user('analyst_ann', 'viewer_analytics', '{"region":"na","team":"analytics"}');
SELECT flp.register_user('exec_erik', 'viewer', '{"region":"na","team":"exec"}');
SELECT flp.register_user('sales_sam', 'full', '{"team":"sales"}');
\set ECHO none
\o

SELECT u.role AS "user", u.license, u.attributes
  FROM flp.registered_user u
 ORDER BY u.role::text;

SELECT l.license, l.seats,
	   (SELECT count(*) FROM flp.registered_user u WHERE u.license = l.license) AS used
  FROM flp.license_seats l
 ORDER BY l.license;

-------------------------------------------------------------------------------
-- 4. Permission bundles.  A bundle grants a table with a table-level
--    permission; field-level settings refine it and never exceed it.
-------------------------------------------------------------------------------
\echo
\echo '--- 4. Permission bundles ----------------------------------------'

\echo
\o /dev/null
\set ECHO queries
SELECT flp.create_bundle('CSM',
			description => 'Customer success managers: run their accounts; no tax ids, no deal discounts');
SELECT flp.create_bundle('Analytics', license => 'viewer_analytics',
			description => 'Analysts: reporting on accounts, pipeline and NPS; no personal data');
SELECT flp.create_bundle('Executive', license => 'viewer',
			description => 'Executives: read-only overview');
SELECT flp.create_bundle('Sales',
			description => 'Account executives: own the pipeline; CS internals hidden');

-- CSM: edit their accounts, relationships and CTAs.
SELECT flp.set_permission('CSM', 'cs.company', NULL, 'edit');
SELECT flp.set_permission('CSM', 'cs.company', 'tax_id', 'hide');
SELECT flp.set_permission('CSM', 'cs.company', ARRAY['arr', 'ceo_email'], 'read');
SELECT flp.set_permission('CSM', 'cs.relationship', NULL, 'edit');
SELECT flp.set_permission('CSM', 'cs.cta', NULL, 'edit');
SELECT flp.set_permission('CSM', 'cs.opportunity', NULL, 'read');
SELECT flp.set_permission('CSM', 'cs.opportunity', 'discount_pct', 'hide');
SELECT flp.set_permission('CSM', 'cs.survey_response', NULL, 'read');
SELECT flp.set_permission('CSM', 'cs.survey_response', 'respondent_email', 'hide');

-- Analytics: "edit" on company, but a viewer_analytics license caps it at read.
SELECT flp.set_permission('Analytics', 'cs.company', NULL, 'edit');
SELECT flp.set_permission('Analytics', 'cs.company', ARRAY['tax_id', 'ceo_email'], 'hide');
SELECT flp.set_permission('Analytics', 'cs.relationship', NULL, 'read');
SELECT flp.set_permission('Analytics', 'cs.relationship', 'notes', 'hide');
SELECT flp.set_permission('Analytics', 'cs.opportunity', NULL, 'read');
SELECT flp.set_permission('Analytics', 'cs.opportunity', 'competitor', 'hide');
SELECT flp.set_permission('Analytics', 'cs.survey_response', NULL, 'read');
SELECT flp.set_permission('Analytics', 'cs.survey_response', 'respondent_email', 'hide');

-- Executive: read almost everything (a viewer license could not edit anyway).
SELECT flp.set_permission('Executive', 'cs.company', NULL, 'read');
SELECT flp.set_permission('Executive', 'cs.company', 'tax_id', 'hide');
SELECT flp.set_permission('Executive', 'cs.relationship', NULL, 'read');
SELECT flp.set_permission('Executive', 'cs.opportunity', NULL, 'read');
SELECT flp.set_permission('Executive', 'cs.survey_response', NULL, 'read');
SELECT flp.set_permission('Executive', 'cs.survey_response', 'respondent_email', 'hide');

-- Sales: edit the pipeline, read accounts, no CS internals, no surveys.
SELECT flp.set_permission('Sales', 'cs.company', NULL, 'read');
SELECT flp.set_permission('Sales', 'cs.company', 'tax_id', 'hide');
SELECT flp.set_permission('Sales', 'cs.relationship', NULL, 'read');
SELECT flp.set_permission('Sales', 'cs.relationship', 'notes', 'hide');
SELECT flp.set_permission('Sales', 'cs.cta', NULL, 'read');
SELECT flp.set_permission('Sales', 'cs.cta', 'internal_notes', 'hide');
SELECT flp.set_permission('Sales', 'cs.opportunity', NULL, 'edit');
\set ECHO none
\o

SELECT b.name AS bundle, b.license, b.description
  FROM flp.bundle b
 WHERE NOT b.system
 ORDER BY b.name;

\echo 'Table-level permissions (one column per bundle; - = not granted):'
SELECT t.tbl AS "table",
	   max(p.permission::text) FILTER (WHERE p.bundle = 'CSM') AS "CSM",
	   max(p.permission::text) FILTER (WHERE p.bundle = 'Analytics') AS "Analytics",
	   max(p.permission::text) FILTER (WHERE p.bundle = 'Executive') AS "Executive",
	   max(p.permission::text) FILTER (WHERE p.bundle = 'Sales') AS "Sales",
	   t.default_permission AS "default"
  FROM flp.governed_table t
  LEFT JOIN flp.table_permission p ON p.tbl = t.tbl
 WHERE t.tbl::text LIKE 'cs.%'
 GROUP BY t.tbl, t.default_permission
 ORDER BY t.tbl::text;

\echo 'Field-level settings:'
SELECT f.bundle, f.tbl AS "table", f.field, f.permission
  FROM flp.field_permission f
 ORDER BY f.bundle, f.tbl::text, f.field;

-------------------------------------------------------------------------------
-- 5. Who gets which bundle: a group role, a criteria rule, a manual
--    assignment.
-------------------------------------------------------------------------------
\echo
\echo '--- 5. Assignments ----------------------------------------------'
\echo '  CSM       -> group role cs_team (so: every member, e.g. csm_carol)'
\echo '  Analytics -> criteria rule {"region":"na"}'
\echo '  Executive -> exec_erik'
\echo '  Sales     -> criteria rule {"team":"sales"}, and csm_carol, who'
\echo '               also owns her renewals (bundles add up: the least'
\echo '               restrictive permission wins)'

\echo
\o /dev/null
\set ECHO queries
SELECT flp.assign('CSM', 'cs_team');
SELECT flp.add_rule('Analytics', '{"region":"na"}');
SELECT flp.assign('Executive', 'exec_erik');
SELECT flp.add_rule('Sales', '{"team":"sales"}');
SELECT flp.assign('Sales', 'csm_carol');
\set ECHO none
\o

\echo
\echo 'flp.preview(''CSM''): assigned to the group role cs_team, so it'
\echo 'applies to cs_team and to each of its members.'
SELECT r AS "flp.preview('CSM')" FROM flp.preview('CSM') AS r ORDER BY r::text;

\echo 'flp.preview(bundle) for every demo bundle:'
\echo 'exec_erik matches the Analytics rule {"region":"na"}, but an'
\echo 'internal user only gets bundles of its own license type.'
SELECT b.name AS bundle,
	   (SELECT string_agg(r::text, ', ' ORDER BY r::text) FROM flp.preview(b.name) AS r) AS "applies to"
  FROM flp.bundle b
 WHERE b.name IN ('CSM', 'Analytics', 'Executive', 'Sales')
 ORDER BY b.name;

\echo 'flp.bundles(role): why each bundle applies.'
SELECT r.rolname AS role, b.bundle, b.source
  FROM pg_roles r, flp.bundles(r.oid::regrole) b
 WHERE r.rolname IN ('csm_carol', 'analyst_ann', 'exec_erik', 'sales_sam', 'admin_ada', 'intern_ivy')
 ORDER BY array_position(ARRAY['csm_carol', 'analyst_ann', 'exec_erik', 'sales_sam',
							   'admin_ada', 'intern_ivy']::name[], r.rolname),
		  b.bundle;

-------------------------------------------------------------------------------
-- 6. The result: flp.effective(table, field, role) for every demo role.
-------------------------------------------------------------------------------
\echo
\echo '--- 6. What each role gets: flp.effective(table, field, role) ----'
\echo '  id is excluded (never restricted); admin_ada is a super admin;'
\echo '  intern_ivy gets only the tables'' defaults (cs.cta: read).'

SELECT f.tbl AS "table", f.field,
	   flp.effective(f.tbl, f.field, 'csm_carol') AS csm_carol,
	   flp.effective(f.tbl, f.field, 'analyst_ann') AS analyst_ann,
	   flp.effective(f.tbl, f.field, 'exec_erik') AS exec_erik,
	   flp.effective(f.tbl, f.field, 'sales_sam') AS sales_sam,
	   flp.effective(f.tbl, f.field, 'intern_ivy') AS intern_ivy,
	   flp.effective(f.tbl, f.field, 'admin_ada') AS admin_ada
  FROM (VALUES (1, 'cs.company'::regclass, 'id'::name),
			   (2, 'cs.company', 'name'),
			   (3, 'cs.company', 'industry'),
			   (4, 'cs.company', 'arr'),
			   (5, 'cs.company', 'tax_id'),
			   (6, 'cs.company', 'ceo_email'),
			   (7, 'cs.company', 'health_score'),
			   (8, 'cs.relationship', 'arr'),
			   (9, 'cs.relationship', 'renewal_date'),
			   (10, 'cs.relationship', 'notes'),
			   (11, 'cs.cta', 'title'),
			   (12, 'cs.cta', 'internal_notes'),
			   (13, 'cs.opportunity', 'amount'),
			   (14, 'cs.opportunity', 'discount_pct'),
			   (15, 'cs.opportunity', 'competitor'),
			   (16, 'cs.survey_response', 'respondent_email'),
			   (17, 'cs.survey_response', 'nps'),
			   (18, 'cs.survey_response', 'comment')) AS f (ord, tbl, field)
 ORDER BY f.ord;

-------------------------------------------------------------------------------
-- 7. Why: flp.explain(table, field, role) walks through the steps.
-------------------------------------------------------------------------------
\echo
\echo '--- 7. Why? flp.explain(table, field, role) ----------------------'
\echo
\echo 'flp.explain(''cs.company'', ''tax_id'', ''csm_carol''):'
\echo 'both of her bundles hide the tax id.'
SELECT * FROM flp.explain('cs.company', 'tax_id', 'csm_carol') ORDER BY step;

\echo 'flp.explain(''cs.opportunity'', ''discount_pct'', ''csm_carol''):'
\echo 'CSM hides it, Sales lets her edit it: the union wins.'
SELECT * FROM flp.explain('cs.opportunity', 'discount_pct', 'csm_carol') ORDER BY step;

\echo 'flp.explain(''cs.company'', ''arr'', ''analyst_ann''):'
\echo 'Analytics says edit, her viewer_analytics license caps it at read.'
SELECT * FROM flp.explain('cs.company', 'arr', 'analyst_ann') ORDER BY step;

\echo 'flp.explain(''cs.relationship'', ''arr'', ''csm_carol''):'
\echo 'she may edit relationships, but relationship.arr inherits company.arr.'
SELECT * FROM flp.explain('cs.relationship', 'arr', 'csm_carol') ORDER BY step;

-------------------------------------------------------------------------------
-- 8. One role, one table: flp.effective_permissions(role).
-------------------------------------------------------------------------------
\echo
\echo '--- 8. flp.effective_permissions(''exec_erik'') on cs.company ------'
SELECT e.tbl AS "table", e.field, e.permission
  FROM flp.effective_permissions('exec_erik') AS e
  JOIN pg_attribute a ON a.attrelid = e.tbl AND a.attname = e.field
 WHERE e.tbl = 'cs.company'::regclass
 ORDER BY a.attnum;

-------------------------------------------------------------------------------
-- 9. The same queries, answered for each role.  The subject of a query is
--    current_user, so SET ROLE is all it takes.
-------------------------------------------------------------------------------
\echo
\echo '--- 9. The same report, run by each role ---------------------------'
\echo '  SELECT name, arr, tax_id, ceo_email, health_score FROM cs.company'
\echo '  Hidden text comes back as ****, hidden numbers as NULL (shown: NULL).'
\pset null 'NULL'
\echo
\echo 'as csm_carol (CSM: tax id hidden, arr and CEO e-mail read-only):'
SET ROLE csm_carol;
SELECT name, arr, tax_id, ceo_email, health_score FROM cs.company ORDER BY id LIMIT 3;
RESET ROLE;
\echo 'as analyst_ann (Analytics: tax id and CEO e-mail hidden):'
SET ROLE analyst_ann;
SELECT name, arr, tax_id, ceo_email, health_score FROM cs.company ORDER BY id LIMIT 3;
RESET ROLE;
\echo 'as intern_ivy (no bundle: the tables'' defaults hide everything but the keys):'
SET ROLE intern_ivy;
SELECT name, arr, tax_id, ceo_email, health_score FROM cs.company ORDER BY id LIMIT 3;
RESET ROLE;
\echo 'as admin_ada (a super admin: everything):'
SET ROLE admin_ada;
SELECT name, arr, tax_id, ceo_email, health_score FROM cs.company ORDER BY id LIMIT 3;
RESET ROLE;

\echo
\echo 'The report view cs.company_report, owned by the DBA, follows the reader:'
\echo 'as analyst_ann:'
SET ROLE analyst_ann;
SELECT * FROM cs.company_report ORDER BY 1, 2 LIMIT 4;
RESET ROLE;
\echo 'as sales_sam:'
SET ROLE sales_sam;
SELECT * FROM cs.company_report ORDER BY 1, 2 LIMIT 4;
RESET ROLE;

\echo
\echo 'A report that filters on a hidden field does not run (as sales_sam):'
\echo '  SELECT name FROM cs.company WHERE tax_id LIKE ''DE%'';'
\set ON_ERROR_STOP 0
\set VERBOSITY default
SET ROLE sales_sam;
SELECT name FROM cs.company WHERE tax_id LIKE 'DE%';
RESET ROLE;
\echo
\echo 'A read-only field cannot be changed (as exec_erik, viewer license):'
\echo '  UPDATE cs.company SET health_score = 10 WHERE id = 1;'
SET ROLE exec_erik;
UPDATE cs.company SET health_score = 10 WHERE id = 1;
RESET ROLE;
\set ON_ERROR_STOP 1
\echo
\echo 'An editable field can (as csm_carol; rolled back); RETURNING is masked:'
BEGIN;
SET LOCAL ROLE csm_carol;
UPDATE cs.company SET health_score = 90 WHERE id = 1 RETURNING name, tax_id, health_score;
ROLLBACK;
\echo
\echo 'flp.explain() says why, e.g. for sales_sam and cs.company.tax_id:'
SELECT step, source, detail, permission FROM flp.explain('cs.company', 'tax_id', 'sales_sam');

-------------------------------------------------------------------------------
-- 10. Partners: people of partner companies, working inside our database on
--     exactly the customers assigned to them.
-------------------------------------------------------------------------------
\echo
\echo '--- 10. Partners ----------------------------------------------------'
\echo '  Two partner companies, Redwood Consulting and Bluebird Services, each'
\echo '  with a partner user. Companies are assigned to partners; CTAs and'
\echo '  relationships follow their company (inheritance rules). Bluebird has'
\echo '  a partner bundle of its own that hides the ARR; Redwood gets'
\echo '  Default_Partner_Bundle: the tables of the partner areas, with only the'
\echo '  fields a super admin opened to partner users (company names, CTA'
\echo '  titles); every other field keeps its table default (hide, but read'
\echo '  on cs.cta, which was protected with default read).'
\echo
\o /dev/null
\set ECHO queries
CREATE ROLE partner_pia LOGIN IN ROLE cs_users;
CREATE ROLE partner_quinn LOGIN IN ROLE cs_users;
SELECT flp.define_area('company_relationship', '{cs.company, cs.relationship}');
SELECT flp.define_area('cockpit', '{cs.cta}');
SELECT flp.add_partner('Redwood Consulting');
SELECT flp.add_partner('Bluebird Services');
SELECT flp.register_user('partner_pia', 'full', '{}', 'Redwood Consulting');
SELECT flp.register_user('partner_quinn', 'full', '{}', 'Bluebird Services');
SELECT flp.create_bundle('Bluebird partners', kind => 'partner',
						 description => 'Bluebird: everything but the ARR and tax ids');
SELECT flp.set_permission('Bluebird partners', 'cs.company', NULL, 'edit');
SELECT flp.set_permission('Bluebird partners', 'cs.company', ARRAY['arr', 'tax_id'], 'hide');
SELECT flp.set_permission('Bluebird partners', 'cs.cta', NULL, 'edit');
SELECT flp.assign_partner_bundle('Bluebird Services', 'Bluebird partners');
SELECT flp.set_permission('Default_Partner_Bundle', 'cs.company', 'name', 'read');
SELECT flp.set_permission('Default_Partner_Bundle', 'cs.cta', 'title', 'edit');
SELECT flp.partner_scope('cs.company', 'id');
SELECT flp.link_records('cs.cta', 'company_id', 'cs.company');
SELECT flp.link_records('cs.relationship', 'company_id', 'cs.company');
SELECT flp.assign_record('Redwood Consulting', 'cs.company', '1');
SELECT flp.assign_record('Redwood Consulting', 'cs.company', '2');
SELECT flp.assign_record('Bluebird Services', 'cs.company', '3');
\set ECHO none
\o

-------------------------------------------------------------------------------
-- 11. What a partner user sees.  SET ROLE partner_pia is what a session that
--     logs in as partner_pia gets (psql -U partner_pia flp_demo): the same
--     queries as any user, answered with her partner's records only.
-------------------------------------------------------------------------------
\echo
\echo '--- 11. What a partner user sees -----------------------------------'
\echo '  partner_pia works for Redwood Consulting, to which companies 1 and 2'
\echo '  are assigned. She runs plain queries on the whole tables; flp answers'
\echo '  them with those two companies only, with their CTAs and relationships'
\echo '  (which follow their company). Of the fields, she gets those opened to'
\echo '  partners on Default_Partner_Bundle (company names, CTA titles), and'
\echo '  every other field at its table''s default: hidden on cs.company and'
\echo '  cs.relationship (text ****, numbers NULL), but read on cs.cta, which'
\echo '  was protected with default read -- so she reads the CTAs'' internal'
\echo '  notes too. Protect the tables partners reach with the default hide.'
\echo
\set ECHO queries
SET ROLE partner_pia;
SELECT current_user, flp.is_partner_user(), flp.current_partner();
SELECT id, name, industry, arr, tax_id FROM cs.company ORDER BY id;
SELECT c.id, c.company_id, c.title, c.internal_notes FROM cs.cta c ORDER BY c.id;
SELECT r.id, r.company_id, r.name, r.arr FROM cs.relationship r ORDER BY r.id;
SELECT count(*) AS companies_pia_sees FROM cs.company;
RESET ROLE;
\set ECHO none
\echo
\echo '  partner_quinn works for Bluebird Services (company 3), whose own partner'
\echo '  bundle opens every field of cs.company but the ARR and the tax id:'
\echo
\set ECHO queries
SET ROLE partner_quinn;
SELECT id, name, industry, arr, tax_id FROM cs.company ORDER BY id;
SELECT c.id, c.company_id, c.title FROM cs.cta c ORDER BY c.id;
\set ECHO none
\echo
\echo '  A partner user cannot put a CTA under a company it does not see:'
\set ECHO queries
\set ON_ERROR_STOP 0
INSERT INTO cs.cta (company_id, title, priority, status, owner) VALUES (1, 'Sneaky', 'Low', 'Open', 'quinn');
\set ON_ERROR_STOP 1
RESET ROLE;
\set ECHO none
\echo
\echo '  Internal users are not scoped (as csm_carol):'
\set ECHO queries
SET ROLE csm_carol;
SELECT count(*) AS companies_carol_sees FROM cs.company;
RESET ROLE;
\set ECHO none
\echo
\echo 'flp.explain_record() says why a row is visible, or not:'
SELECT step, source, detail, visible FROM flp.explain_record('cs.cta', '1', 'partner_quinn');
\echo
\echo 'The policies flp compiled for cs.company and cs.cta:'
SELECT c.relname AS "table", p.polname AS policy,
	   CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END AS kind,
	   pg_get_expr(p.polqual, p.polrelid) AS "using"
  FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
 WHERE c.relname IN ('company', 'cta') AND c.relnamespace = 'cs'::regnamespace
 ORDER BY 1, 2;
