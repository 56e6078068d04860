-- test/differential/flp.sql -- flp's rules over the differential schema,
-- loaded into the flp cluster only (after CREATE EXTENSION flp and
-- schema.sql).  Every feature that changes what subjects see is in use --
-- hidden, read and excluded fields, masks, inherited fields, criteria rules,
-- licenses, partners with record scoping and linked records, data rules, a
-- partitioned and an inheritance parent -- and none of it may change what a
-- super admin (postgres, diff_admin) sees, nor what a subject (diff_reader)
-- sees of the tables that are not governed, nor what a subject with Edit on
-- every field (diff_editor) sees of the governed tables without data rules.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

SELECT flp.protect(t)
  FROM unnest(ARRAY['cs.company', 'cs.contact', 'cs.relationship', 'cs.cta', 'cs.opportunity',
					'cs.survey', 'cs.activity']::regclass[]) t;
SELECT flp.protect('cs.relationship', 'read');           -- another default
SELECT flp.exclude_field(t, 'id')
  FROM unnest(ARRAY['cs.company', 'cs.contact', 'cs.relationship', 'cs.cta', 'cs.opportunity',
					'cs.survey', 'cs.activity']::regclass[]) t;
SELECT flp.set_mask('cs.contact', 'phone', 'flp.mask_last4(text)');
SELECT flp.set_mask('cs.company', 'website', 'flp.mask_hash(text)');

SELECT flp.create_bundle('CS', description => 'customer success');
SELECT flp.set_permission('CS', t, NULL, 'edit')
  FROM unnest(ARRAY['cs.company', 'cs.contact', 'cs.cta', 'cs.opportunity', 'cs.survey',
					'cs.activity']::regclass[]) t;
SELECT flp.set_permission('CS', 'cs.company', 'tax_id', 'hide');
SELECT flp.set_permission('CS', 'cs.company', 'arr', 'read');
SELECT flp.set_permission('CS', 'cs.contact', 'ssn', 'hide');
SELECT flp.set_permission('CS', 'cs.contact', 'salary', 'hide');
SELECT flp.set_permission('CS', 'cs.contact', 'phone', 'hide');
SELECT flp.set_permission('CS', 'cs.survey', 'comment', 'hide');
SELECT flp.set_permission('CS', 'cs.activity', 'ip', 'hide');
SELECT flp.assign('CS', 'diff_reader');
SELECT flp.inherit_field('cs.cta', 'amount', 'cs.company', 'arr');

SELECT flp.register_user('diff_reader', 'full', '{"region": "emea"}');
SELECT flp.create_bundle('Everything', description => 'edit on every field');
SELECT flp.set_permission('Everything', t, NULL, 'edit')
  FROM unnest(ARRAY['cs.company', 'cs.contact', 'cs.relationship', 'cs.cta', 'cs.opportunity',
					'cs.survey', 'cs.activity']::regclass[]) t;
SELECT flp.assign('Everything', 'diff_editor');
SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'cs.company', NULL, 'read');
SELECT flp.add_rule('Viewers', '{"region": "emea"}');

SELECT flp.define_area('company_relationship', ARRAY['cs.company', 'cs.relationship']::regclass[]);
SELECT flp.define_area('cockpit', ARRAY['cs.cta']::regclass[]);
SELECT flp.add_partner('Redwood', '7');
SELECT flp.register_user('diff_partner', 'full', '{}', 'Redwood');
SELECT flp.partner_scope('cs.company', 'id');
SELECT flp.link_records('cs.cta', 'company_id', 'cs.company');
SELECT flp.link_records('cs.relationship', 'company_id', 'cs.company');
SELECT flp.assign_record('Redwood', 'cs.company', k::text) FROM generate_series(1, 60, 7) k;

SELECT flp.add_data_rule('cs.survey', $$nps >= 5$$, 'read', 'CS');
SELECT flp.add_data_rule('cs.opportunity', $$stage <> 'lost'$$, 'edit');
