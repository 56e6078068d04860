-- test/upgrade/setup.sql -- a configuration made with the management
-- functions every version has (0.1.0 on), loaded by test/shell/67-upgrade.sh
-- into a database before ALTER EXTENSION flp UPDATE and into a fresh install.
-- Roles up_team (group of up_anna), up_vera (viewer), up_pete (partner user)
-- exist. Primary keys are excluded explicitly, as flp.protect of 0.1.0
-- governs them and later versions leave them out by default.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE TABLE accounts (id int PRIMARY KEY, name text, ssn text, email text, region text);
CREATE TABLE contacts (id int PRIMARY KEY, account_id int, name text, phone text);
CREATE TABLE notes (id int, body text, arr numeric);
INSERT INTO accounts VALUES
	(1, 'Acme', '111-11-1111', 'ceo@acme.test', 'emea'),
	(2, 'Globex', '222-22-2222', 'cfo@globex.test', 'amer'),
	(3, 'Initech', '333-33-3333', 'it@initech.test', 'emea');
INSERT INTO contacts VALUES (1, 1, 'Ann', '555-0001'), (2, 2, 'Bob', '555-0002'), (3, 3, 'Cy', '555-0003');
INSERT INTO notes VALUES (1, 'first', 10), (2, 'second', 20);
GRANT SELECT, UPDATE ON accounts, contacts, notes TO PUBLIC;

SELECT flp.protect('accounts');
SELECT flp.protect('contacts');
SELECT flp.protect('notes', 'read');
SELECT flp.exclude_field('accounts', 'id');
SELECT flp.exclude_field('contacts', 'id');
SELECT flp.set_mask('accounts', 'email', 'flp.mask_email(text)');
SELECT flp.inherit_field('notes', 'arr', 'accounts', 'ssn');

SELECT flp.create_bundle('Team', description => 'the team');
SELECT flp.set_permission('Team', 'accounts', NULL, 'edit');
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Team', 'accounts', 'email', 'read');
SELECT flp.set_permission('Team', 'contacts', NULL, 'read');
SELECT flp.assign('Team', 'up_team');

SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'accounts', NULL, 'read');
SELECT flp.set_permission('Viewers', 'accounts', 'name', 'hide');
SELECT flp.add_rule('Viewers', '{"region": "emea"}');
SELECT flp.register_user('up_vera', 'viewer', '{"region": "emea"}');
SELECT flp.set_seats('viewer', 3);

SELECT flp.add_partner('Acme', '1');
SELECT flp.register_user('up_pete', partner => 'Acme');
SELECT flp.define_area('timeline', ARRAY['accounts', 'contacts']::regclass[]);
SELECT flp.partner_scope('accounts', 'id');
SELECT flp.assign_record('Acme', 'accounts', '2');
SELECT flp.link_records('contacts', 'account_id', 'accounts');
SELECT flp.set_permission('Default_Partner_Bundle', 'accounts', 'ssn', 'read');

SELECT flp.add_data_rule('accounts', $$region = 'emea'$$, 'edit', 'Team');
SELECT flp.add_data_rule('accounts', $$region = flp.attribute('region')$$);
