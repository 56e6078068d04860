-- maintenance: VACUUM, ANALYZE, CLUSTER and REINDEX by a subject allowed to
-- maintain a governed table (its owner here; from PostgreSQL 17 also a
-- holder of MAINTAIN, see pg17.sql).  Rewriting the table in the order of an
-- index over a field hidden from the subject is refused (the physical order
-- would be the hidden field's order); any of them on a table whose rows flp's
-- row rules scope is refused (they count every row).
\set SHOW_CONTEXT never

CREATE TABLE public.vault (id int PRIMARY KEY, name text, ssn text, salary int);
INSERT INTO public.vault SELECT g, 'n' || g, 'SSN-' || (1000 - g), g * 10
	FROM generate_series(1, 40) g;
CREATE INDEX vault_ssn ON public.vault (ssn);
CREATE INDEX vault_lower_ssn ON public.vault (lower(ssn));
CREATE INDEX vault_name_incl ON public.vault (name) INCLUDE (ssn);
CREATE ROLE regress_keeper LOGIN;
CREATE ROLE regress_keepers NOLOGIN;
GRANT regress_keepers TO regress_keeper;
SELECT count(*) FROM (
	SELECT flp.protect('vault')
	UNION ALL SELECT flp.create_bundle('Keepers')
	UNION ALL SELECT flp.set_permission('Keepers', 'vault', NULL, 'edit')
	UNION ALL SELECT flp.set_permission('Keepers', 'vault', 'ssn', 'hide')
	UNION ALL SELECT flp.assign('Keepers', 'regress_keepers')) s;
ALTER TABLE public.vault OWNER TO regress_keeper;

SET ROLE regress_keeper;
-- ordered by a hidden field: refused, however the index is named or chosen
CLUSTER public.vault USING vault_ssn;
CLUSTER public.vault USING vault_lower_ssn;
-- ordered by visible fields (an INCLUDE column does not order): allowed
CLUSTER public.vault USING vault_name_incl;
CLUSTER public.vault USING vault_pkey;
CLUSTER public.vault;
RESET ROLE;
ALTER TABLE public.vault CLUSTER ON vault_ssn;
SET ROLE regress_keeper;
CLUSTER public.vault;
CLUSTER;
-- nothing reordered
SELECT string_agg(id::text, ',' ORDER BY ctid) = string_agg(id::text, ',' ORDER BY id)
	AS still_in_id_order FROM public.vault;
-- no row rules: the rest is allowed
VACUUM public.vault;
ANALYZE public.vault;
VACUUM (ANALYZE) public.vault (name);
REINDEX TABLE public.vault;
REINDEX INDEX public.vault_ssn;
RESET ROLE;
-- a super admin may
CLUSTER public.vault USING vault_ssn;
CLUSTER public.vault USING vault_pkey;

-- row rules: nothing of it, also without naming the table
SELECT flp.add_data_rule('vault', 'id <= 10') > 0 AS rule_added;
SET ROLE regress_keeper;
SELECT count(*) AS in_scope FROM public.vault;
VACUUM public.vault;
VACUUM (VERBOSE) public.vault;
ANALYZE public.vault;
VACUUM;
ANALYZE;
CLUSTER public.vault USING vault_pkey;
REINDEX TABLE public.vault;
REINDEX INDEX public.vault_pkey;
REINDEX SCHEMA public;
RESET ROLE;
-- other tables as before
CREATE SCHEMA regress_keeping AUTHORIZATION regress_keeper;
SET ROLE regress_keeper;
CREATE TABLE regress_keeping.own (id int PRIMARY KEY);
VACUUM regress_keeping.own;
CLUSTER regress_keeping.own USING own_pkey;
REINDEX TABLE regress_keeping.own;
REINDEX SCHEMA regress_keeping;
RESET ROLE;
DROP SCHEMA regress_keeping CASCADE;

-- partitions of a scoped table, named on their own
CREATE TABLE public.ledger (id int, region text, amount int) PARTITION BY LIST (region);
CREATE TABLE public.ledger_eu PARTITION OF public.ledger FOR VALUES IN ('eu');
CREATE TABLE public.ledger_us PARTITION OF public.ledger FOR VALUES IN ('us');
SELECT flp.protect('ledger', 'edit') AS protected;
SELECT flp.add_data_rule('ledger', 'region = ''eu''') > 0 AS rule_added;
ALTER TABLE public.ledger OWNER TO regress_keeper;
ALTER TABLE public.ledger_us OWNER TO regress_keeper;
SET ROLE regress_keeper;
VACUUM public.ledger;
VACUUM public.ledger_us;
ANALYZE public.ledger_us;
RESET ROLE;

ALTER TABLE public.vault OWNER TO CURRENT_USER;
ALTER TABLE public.ledger OWNER TO CURRENT_USER;
ALTER TABLE public.ledger_us OWNER TO CURRENT_USER;
