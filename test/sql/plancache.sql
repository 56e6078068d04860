-- plancache: a prepared statement or cached plan is never reused by a role
-- with other permissions, and a permission change holds from the next
-- execution; generic plans, PL/pgSQL and SQL functions included.
\set SHOW_CONTEXT never

CREATE TABLE public.accounts (id int PRIMARY KEY, name text, ssn text);
INSERT INTO public.accounts VALUES (1, 'Acme', '111'), (2, 'Globex', '222');
CREATE ROLE regress_sub LOGIN;
CREATE ROLE regress_other LOGIN;
GRANT SELECT, UPDATE ON public.accounts TO regress_sub, regress_other;
SELECT count(*) FROM (
	SELECT flp.protect('accounts')
	UNION ALL SELECT flp.create_bundle('Sub')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Sub', 'accounts', 'ssn', 'hide')
	UNION ALL SELECT flp.assign('Sub', 'regress_sub')
	UNION ALL SELECT flp.create_bundle('Other')
	UNION ALL SELECT flp.set_permission('Other', 'accounts', NULL, 'read')
	UNION ALL SELECT flp.assign('Other', 'regress_other')) s;

CREATE FUNCTION public.plpgsql_ssn(int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	SELECT ssn INTO r FROM public.accounts WHERE id = $1;   -- a cached SPI plan
	RETURN r;
END $$;
CREATE FUNCTION public.sql_ssn(int) RETURNS text LANGUAGE sql STABLE AS
	'SELECT ssn FROM public.accounts WHERE id = $1';

-- prepared before SET ROLE, executed as several roles
PREPARE p AS SELECT id, ssn FROM accounts ORDER BY id;
EXECUTE p;
SET ROLE regress_sub;
EXECUTE p;
SET ROLE regress_other;
EXECUTE p;
RESET ROLE;
EXECUTE p;

-- generic plans too
SET plan_cache_mode = force_generic_plan;
PREPARE g(int) AS SELECT ssn FROM accounts WHERE id = $1;
EXECUTE g(1);
SET ROLE regress_sub;
EXECUTE g(1);
EXECUTE g(1);
RESET ROLE;
EXECUTE g(1);
SET ROLE regress_sub;
PREPARE g2(int) AS SELECT ssn FROM accounts WHERE id = $1;
EXECUTE g2(1);
RESET ROLE;
EXECUTE g2(1);
RESET plan_cache_mode;

-- a refused query is refused for the role, not for the statement
PREPARE f(text) AS SELECT id FROM accounts WHERE ssn = $1;
EXECUTE f('111');
SET ROLE regress_sub;
SELECT regress.why($$EXECUTE f('111')$$);
SET ROLE regress_other;
EXECUTE f('111');
RESET ROLE;

-- PL/pgSQL and SQL functions keep their plans per role as well
SELECT plpgsql_ssn(1), sql_ssn(1);
SET ROLE regress_sub;
SELECT plpgsql_ssn(1), sql_ssn(1);
SET ROLE regress_other;
SELECT plpgsql_ssn(1), sql_ssn(1);
RESET ROLE;
SELECT plpgsql_ssn(1), sql_ssn(1);

-- a permission change holds from the next execution of a prepared statement
SET ROLE regress_sub;
PREPARE q AS SELECT ssn FROM accounts WHERE id = 1;
EXECUTE q;
RESET ROLE;
SELECT flp.set_permission('Sub', 'accounts', 'ssn', 'read');
SET ROLE regress_sub;
EXECUTE q;
SELECT plpgsql_ssn(1);
RESET ROLE;
SELECT flp.set_permission('Sub', 'accounts', 'ssn', 'hide');
SET ROLE regress_sub;
EXECUTE q;
SELECT plpgsql_ssn(1);
RESET ROLE;
-- and from a role membership change
CREATE ROLE regress_readers NOLOGIN;
SELECT flp.create_bundle('Readers');
SELECT flp.set_permission('Readers', 'accounts', NULL, 'read');
SELECT flp.assign('Readers', 'regress_readers');
GRANT regress_readers TO regress_sub;
SET ROLE regress_sub;
EXECUTE q;
RESET ROLE;
REVOKE regress_readers FROM regress_sub;
SET ROLE regress_sub;
EXECUTE q;
RESET ROLE;

-- clean up
DEALLOCATE ALL;
DROP FUNCTION public.plpgsql_ssn(int), public.sql_ssn(int);
SELECT count(*) FROM (SELECT flp.unprotect('accounts') UNION ALL SELECT flp.drop_bundle('Sub')
					  UNION ALL SELECT flp.drop_bundle('Other')
					  UNION ALL SELECT flp.drop_bundle('Readers')) s;
DROP TABLE public.accounts;
DROP ROLE regress_sub, regress_other, regress_readers;
