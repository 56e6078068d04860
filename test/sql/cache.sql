-- cache: the per-session permission cache follows every change at once in
-- the changing session: catalog changes, rollbacks (also to a savepoint),
-- GRANT/REVOKE of roles, ALTER ROLE, and direct DML on the catalog.
-- (Other sessions: see the isolation specs.)
\set SHOW_CONTEXT never

CREATE TABLE public.accounts (id int, name text, ssn text);
CREATE ROLE regress_team NOLOGIN;
CREATE ROLE regress_anna LOGIN;
SELECT flp.protect('accounts');
SELECT flp.create_bundle('Team');
SELECT flp.set_permission('Team', 'accounts', NULL, 'edit');
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'hide');
SELECT flp.assign('Team', 'regress_team');

-- warm the cache, then change things
SELECT flp.effective('accounts', 'name', 'regress_anna') AS name_before_grant;
GRANT regress_team TO regress_anna;
SELECT flp.effective('accounts', 'name', 'regress_anna') AS name_after_grant;
REVOKE regress_team FROM regress_anna;
SELECT flp.effective('accounts', 'name', 'regress_anna') AS name_after_revoke;
GRANT regress_team TO regress_anna;

-- A membership that does not inherit stops the group's bundles, as it stops
-- its privileges: NOINHERIT on PostgreSQL 15, a grant WITH INHERIT FALSE
-- from 16 (where the role's NOINHERIT is only the default of new grants).
CREATE FUNCTION pg_temp.inherit(yes boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('server_version_num')::int >= 160000 THEN
		EXECUTE 'REVOKE regress_team FROM regress_anna';
		EXECUTE format('GRANT regress_team TO regress_anna WITH INHERIT %s',
					   CASE WHEN yes THEN 'TRUE' ELSE 'FALSE' END);
	ELSE
		EXECUTE format('ALTER ROLE regress_anna %s', CASE WHEN yes THEN 'INHERIT' ELSE 'NOINHERIT' END);
	END IF;
END $$;
SELECT FROM pg_temp.inherit(false);
SELECT flp.effective('accounts', 'name', 'regress_anna') AS noinherit;
SELECT FROM pg_temp.inherit(true);
SELECT flp.effective('accounts', 'name', 'regress_anna') AS inherit;
-- whatever the version, flp follows PostgreSQL's own answer after ALTER ROLE
ALTER ROLE regress_anna NOINHERIT;
SELECT flp.effective('accounts', 'name', 'regress_anna') =
	CASE WHEN pg_has_role('regress_anna', 'regress_team', 'USAGE') THEN 'edit' ELSE 'hide' END::flp.permission
	AS follows_postgresql;
ALTER ROLE regress_anna INHERIT;
SELECT flp.effective('accounts', 'name', 'regress_anna') AS inherit_again;

-- becoming a super admin, and no longer
ALTER ROLE regress_anna SUPERUSER;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS superuser;
ALTER ROLE regress_anna NOSUPERUSER;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS nosuperuser;
GRANT flp_admin TO regress_anna;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS flp_admin;
REVOKE flp_admin FROM regress_anna;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS not_flp_admin;

-- a change inside a transaction is seen at once by that transaction, and
-- forgotten after ROLLBACK
BEGIN;
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'read');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS in_transaction;
ROLLBACK;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_rollback;

BEGIN;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS before_savepoint;
SAVEPOINT s;
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'edit');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS in_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_rollback_to;
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'read');
COMMIT;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS committed;

-- a failed statement changes nothing (the cache included)
SELECT regress.try($$SELECT flp.set_permission('Team', 'accounts', 'nope', 'edit')$$);
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_error;

-- direct DML by a super admin is seen like a function call
UPDATE flp.field_permission SET permission = 'hide' WHERE bundle = 'Team' AND field = 'ssn';
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_update;
DELETE FROM flp.field_permission WHERE bundle = 'Team';
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_delete;
TRUNCATE flp.assignment;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_truncate;

-- the default and protection
SELECT flp.protect('accounts', 'read');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS default_read;
SELECT flp.unprotect('accounts');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS unprotected;
SELECT flp.protect('accounts');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS protected_again;

-- dropping and recreating the extension starts from scratch
DROP EXTENSION flp;
CREATE EXTENSION flp;
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS after_recreate;
SELECT flp.protect('accounts');
SELECT flp.effective('accounts', 'ssn', 'regress_anna') AS protected_in_new_catalog;

-- clean up
SELECT flp.unprotect('accounts');
DROP TABLE public.accounts;
DROP ROLE regress_team, regress_anna;
