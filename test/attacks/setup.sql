-- test/attacks/setup.sql -- the canary-seeded schema of the flp attack suite.
--
-- Run as a superuser in a fresh database (test/attacks/run.sh creates
-- flp_attacks and runs CREATE EXTENSION flp first).  Every hidden field holds
-- a canary: a distinctive value that appears nowhere else (not in the
-- catalogue, not in any other table a subject may read).  The canaries are
-- listed in test/attacks/canaries.txt; keep the two files in step.
--
-- Roles (global; run.sh drops them before and after):
--   atk_subject  LOGIN, a plain subject: bundle "Atk" gives Edit on every vault
--                table, Hide on the canary fields, Read on the "ro" fields.
--   atk_admin    LOGIN, member of flp_admin (a super admin), and of
--                atk_subject (so that it may SET ROLE atk_subject in the
--                cross-role plan-cache cases).
-- Both get ordinary privileges on everything (SELECT, INSERT, UPDATE, DELETE
-- and REFERENCES on the tables -- REFERENCES lets the own_foreign_key_*
-- attacks point a foreign key at a hidden field --, CREATE in schema scratch,
-- TEMP): flp only ever takes away.  Not TRIGGER: a trigger on a governed
-- table would see OLD/NEW rows unmasked, like the table owner does.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE ROLE atk_subject LOGIN;
CREATE ROLE atk_admin LOGIN IN ROLE flp_admin;
CREATE ROLE atk_partner LOGIN;
GRANT atk_subject TO atk_admin;

CREATE SCHEMA vault;
-- a schema where the roles may create their own functions, views, tables
-- (everything an attack creates is rolled back)
CREATE SCHEMA scratch;

CREATE DOMAIN vault.tag AS text CHECK (VALUE <> '');

-- ------------------------------------------------------------------ acct
-- One hidden field of every kind.  Rows 1 and 4 share their canaries (so
-- that ANALYZE finds most common values), row 2 has its own, row 3 has NULL
-- in every hidden field.
CREATE TABLE vault.acct (
	id int PRIMARY KEY,                    -- excluded
	name text,                             -- edit
	note text CHECK (note IS DISTINCT FROM 'forbidden'),   -- edit
	ro text,                               -- read
	secret text,                           -- hide
	vc varchar(20),                        -- hide
	ch char(12),                           -- hide
	tiny varchar(2),                       -- hide (mask cut to 2 characters)
	num numeric,                           -- hide
	pin integer,                           -- hide
	dt date,                               -- hide
	arr text[],                            -- hide
	js jsonb,                              -- hide
	bin bytea,                             -- hide
	dom vault.tag,                         -- hide (domain over text)
	nm name                                -- hide
);
INSERT INTO vault.acct VALUES
	(1, 'alpha', 'note-1', 'ro-1', 'CNRY_TXT_5e1d', 'CNRY_VC_77aa', 'CNRY_CH_0b9e', 'zq',
	 918273.6455, 73194655, '1907-03-14', '{CNRY_ARR_a1,CNRY_ARR_b2}',
	 '{"k": "CNRY_JSON_c3"}', convert_to('CNRY_BYT_9d4f', 'UTF8'), 'CNRY_DOM_2f6b',
	 'CNRY_NAME_71c3'),
	(2, 'beta', 'note-2', 'ro-2', 'CNRY_TXT2_90fe', 'CNRY_VC2_3c1b', 'CNRY_CH2_d4a', 'zr',
	 672819.3307, 58302917, '1911-08-29', '{CNRY_ARR_c3,CNRY_ARR_d4}',
	 '{"k": "CNRY_JSON2_e5", "n": 4417.0193}', convert_to('CNRY_BYT2_6a2c', 'UTF8'),
	 'CNRY_DOM2_b8e0', 'CNRY_NAME2_4e9a'),
	(3, 'gamma', 'note-3', 'ro-3', NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(4, 'delta', 'note-4', 'ro-4', 'CNRY_TXT_5e1d', 'CNRY_VC_77aa', 'CNRY_CH_0b9e', 'zq',
	 918273.6455, 73194655, '1907-03-14', '{CNRY_ARR_a1,CNRY_ARR_b2}',
	 '{"k": "CNRY_JSON_c3"}', convert_to('CNRY_BYT_9d4f', 'UTF8'), 'CNRY_DOM_2f6b',
	 'CNRY_NAME_71c3');
CREATE INDEX acct_secret_idx ON vault.acct (secret);
CREATE INDEX acct_num_idx ON vault.acct (num);
CREATE INDEX acct_upper_secret_idx ON vault.acct (upper(secret));

-- ------------------------------------------------------------------ part
-- A partitioned table with a hidden canary column in both partitions.
CREATE TABLE vault.part (
	id int PRIMARY KEY,                    -- excluded
	region text,                           -- edit
	pcanary text                           -- hide
) PARTITION BY RANGE (id);
CREATE TABLE vault.part_a PARTITION OF vault.part FOR VALUES FROM (0) TO (100);
CREATE TABLE vault.part_b PARTITION OF vault.part FOR VALUES FROM (100) TO (200);
INSERT INTO vault.part VALUES
	(1, 'emea', 'CNRY_PA_31f7'),
	(2, 'emea', 'CNRY_PA2_07d5'),
	(101, 'apac', 'CNRY_PB_8c2e'),
	(102, 'apac', NULL);

-- ------------------------------------------------------------------ form
-- A read-only field, an editable field, and a mandatory hidden field (NOT
-- NULL, no default): the subject can never insert a row.
CREATE TABLE vault.form (
	id int PRIMARY KEY,                    -- excluded
	ro text,                               -- read
	editable text NOT NULL DEFAULT '',     -- edit
	mand text NOT NULL,                    -- hide, mandatory
	opt text                               -- edit
);
INSERT INTO vault.form VALUES (1, 'ro-f1', 'ed-1', 'CNRY_MAND_4d0c', NULL);

-- ------------------------------------------------------------------ gen
-- A generated column computed from a hidden field: hidden too (README, How permissions are decided),
-- although the bundle only says Edit at table level for it.
CREATE TABLE vault.gen (
	id int PRIMARY KEY,                    -- excluded
	secret text,                           -- hide
	shout text GENERATED ALWAYS AS (upper(secret)) STORED,  -- derived: hide
	note text                              -- edit
);
INSERT INTO vault.gen (id, secret, note) VALUES (1, 'cnry_gen_e4f2', 'g-1');
-- from PostgreSQL 18, a virtual generated column too (computed when read)
DO $$
BEGIN
	IF current_setting('server_version_num')::int >= 180000 THEN
		EXECUTE 'ALTER TABLE vault.gen ADD COLUMN vshout text GENERATED ALWAYS AS (upper(secret)) VIRTUAL';
	END IF;
END $$;

-- ------------------------------------------------------------------ uniq
-- A unique constraint over an editable and a hidden field: changing the
-- editable field makes a duplicate key whose DETAIL would name the secret.
CREATE TABLE vault.uniq (
	id int PRIMARY KEY,                    -- excluded
	grp int,                               -- edit
	secret text,                           -- hide
	UNIQUE (grp, secret)
);
INSERT INTO vault.uniq VALUES (1, 1, 'CNRY_UQ_6b1a'), (2, 2, 'CNRY_UQ_6b1a');

-- ------------------------------------------------------------------ keyed / keyref
-- A foreign key over a hidden field: deleting the referenced row fails with
-- a DETAIL that would name the key.
CREATE TABLE vault.keyed (
	id int PRIMARY KEY,                    -- excluded
	code text UNIQUE,                      -- hide
	note text                              -- edit
);
CREATE TABLE vault.keyref (
	id int PRIMARY KEY,                    -- excluded
	code text REFERENCES vault.keyed (code),   -- hide
	note text                              -- edit
);
INSERT INTO vault.keyed VALUES (1, 'CNRY_FK_58d3', 'k-1'), (2, 'plain-key-2', 'k-2');
INSERT INTO vault.keyref VALUES (1, 'CNRY_FK_58d3', 'r-1');

-- ------------------------------------------------------------------ ungoverned
-- Ungoverned tables the subject may read and write; never a canary in them.
CREATE TABLE vault.sink (
	id serial PRIMARY KEY,
	val text,
	doc jsonb
);
CREATE TABLE vault.peer (
	id int PRIMARY KEY,
	x text,
	secret text                            -- same name as acct.secret (USING, NATURAL)
);
INSERT INTO vault.peer VALUES (1, 'x-1', 'nope-1'), (2, 'x-2', 'nope-2');

-- ------------------------------------------------------------------ views
-- Owned by the superuser.
CREATE VIEW vault.v_plain AS
	SELECT id, name, note, secret, num, js FROM vault.acct;
CREATE VIEW vault.v_invoker WITH (security_invoker = true) AS
	SELECT id, name, secret, arr, dt FROM vault.acct;
CREATE VIEW vault.v_filter AS                       -- filters on a hidden field
	SELECT id, name FROM vault.acct WHERE secret LIKE 'CNRY%';
CREATE VIEW vault.v_group AS                        -- groups by a hidden field
	SELECT secret, count(*) AS n FROM vault.acct GROUP BY secret;
CREATE VIEW vault.v_join AS                         -- joins on a hidden field
	SELECT a.id, p.x FROM vault.acct a JOIN vault.peer p ON p.secret = a.secret;
CREATE VIEW vault.v_derived AS                      -- columns derived from a hidden field
	SELECT id, upper(secret) AS up, length(secret) AS len FROM vault.acct;
CREATE VIEW vault.v_check AS                        -- updatable, WITH CHECK OPTION
	SELECT * FROM vault.acct WHERE note IS DISTINCT FROM 'outside'
	WITH CASCADED CHECK OPTION;
CREATE VIEW vault.v_part AS
	SELECT * FROM vault.part;

-- ------------------------------------------------------------------ functions
-- All SECURITY INVOKER (the default): they run as the subject.
CREATE FUNCTION vault.f_secrets() RETURNS SETOF text
	LANGUAGE sql STABLE AS $$ SELECT secret FROM vault.acct $$;          -- inlinable SRF
CREATE FUNCTION vault.f_secret_of(int) RETURNS text
	LANGUAGE sql STABLE AS $$ SELECT secret FROM vault.acct WHERE id = $1 $$;
CREATE FUNCTION vault.f_match(text) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS $$ SELECT $1 LIKE 'CNRY%' $$;             -- inlinable filter
CREATE FUNCTION vault.f_count_like(text) RETURNS bigint
	LANGUAGE sql STABLE AS $$ SELECT count(*) FROM vault.acct WHERE secret LIKE $1 $$;
CREATE FUNCTION vault.pl_notice(text) RETURNS text
	LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'pl_notice got %', $1; RETURN $1; END $$;
CREATE FUNCTION vault.pl_raise(text) RETURNS text
	LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'pl_raise got %', $1; END $$;
CREATE FUNCTION vault.pl_dyn(col text) RETURNS SETOF text
	LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT %I::text FROM vault.acct', col);
END $$;
CREATE FUNCTION vault.pl_dyn_count(pattern text) RETURNS bigint
	LANGUAGE plpgsql SECURITY INVOKER AS $$
DECLARE n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM vault.acct WHERE secret LIKE $1' INTO n USING pattern;
	RETURN n;
END $$;
CREATE FUNCTION vault.pl_first_secret() RETURNS text
	LANGUAGE plpgsql STABLE AS $$
DECLARE v text;
BEGIN
	SELECT secret INTO v FROM vault.acct WHERE id = 1;   -- a cached plan
	RETURN v;
END $$;

-- ------------------------------------------------------------------ statistics
CREATE STATISTICS vault.acct_mcv (mcv, ndistinct, dependencies) ON secret, vc FROM vault.acct;
CREATE STATISTICS vault.acct_expr ON (upper(secret)) FROM vault.acct;

-- ------------------------------------------------------------------ flp
SELECT flp.protect('vault.acct');
SELECT flp.protect('vault.part');
SELECT flp.protect('vault.form');
SELECT flp.protect('vault.gen');
SELECT flp.protect('vault.uniq');
SELECT flp.protect('vault.keyed');
SELECT flp.protect('vault.keyref');
SELECT flp.exclude_field(t, 'id')
  FROM unnest(ARRAY['vault.acct', 'vault.part', 'vault.form', 'vault.gen', 'vault.uniq',
					'vault.keyed', 'vault.keyref']::regclass[]) t;

SELECT flp.create_bundle('Atk', description => 'the attack suite''s subject');
SELECT flp.set_permission('Atk', t, NULL, 'edit')
  FROM unnest(ARRAY['vault.acct', 'vault.part', 'vault.form', 'vault.gen', 'vault.uniq',
					'vault.keyed', 'vault.keyref']::regclass[]) t;
SELECT flp.set_permission('Atk', 'vault.acct', f, 'hide')
  FROM unnest(ARRAY['secret', 'vc', 'ch', 'tiny', 'num', 'pin', 'dt', 'arr', 'js', 'bin',
					'dom', 'nm']::name[]) f;
SELECT flp.set_permission('Atk', 'vault.acct', 'ro', 'read');
SELECT flp.set_permission('Atk', 'vault.part', 'pcanary', 'hide');
SELECT flp.set_permission('Atk', 'vault.form', 'ro', 'read');
SELECT flp.set_permission('Atk', 'vault.form', 'mand', 'hide');
SELECT flp.set_permission('Atk', 'vault.gen', 'secret', 'hide');
SELECT flp.set_permission('Atk', 'vault.uniq', 'secret', 'hide');
SELECT flp.set_permission('Atk', 'vault.keyed', 'code', 'hide');
SELECT flp.set_permission('Atk', 'vault.keyref', 'code', 'hide');
SELECT flp.assign('Atk', 'atk_subject');

-- ------------------------------------------------------------------ privileges
GRANT USAGE ON SCHEMA vault TO atk_subject, atk_admin;
GRANT USAGE, CREATE ON SCHEMA scratch TO atk_subject, atk_admin;
GRANT SELECT, INSERT, UPDATE, DELETE, REFERENCES ON ALL TABLES IN SCHEMA vault
	TO atk_subject, atk_admin;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA vault TO atk_subject, atk_admin;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA vault TO atk_subject, atk_admin;
GRANT USAGE ON TYPE vault.tag TO atk_subject, atk_admin;
DO $$
BEGIN
	EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO atk_subject, atk_admin',
				   current_database());
END $$;

-- statistics for pg_stats / pg_stats_ext (most common values, histograms)
ANALYZE vault.acct, vault.part, vault.form, vault.gen, vault.uniq, vault.keyed, vault.keyref;

-- ------------------------------------------------------------------ partners
-- atk_partner is a user of partner AtkPartner, which is assigned company 1
-- only.  The other companies' names and their CTAs' titles are canaries: a
-- row-level leak shows them.
CREATE TABLE vault.company (id int PRIMARY KEY, name text UNIQUE, region text);
INSERT INTO vault.company VALUES
	(1, 'visible company', 'emea'),
	(2, 'CNRY_ROWCO_' || '2a9f', 'emea'),
	(3, 'CNRY_ROWCO_' || '3b7e', 'na');
CREATE TABLE vault.company_cta (id int PRIMARY KEY, company_id int REFERENCES vault.company,
								title text);
INSERT INTO vault.company_cta VALUES
	(10, 1, 'visible cta'),
	(20, 2, 'CNRY_ROWCTA_' || '4c5d'),
	(30, 3, 'CNRY_ROWCTA_' || '5d6c');
CREATE VIEW vault.v_company AS SELECT * FROM vault.company;
CREATE VIEW vault.v_company_cta AS
	SELECT c.name, t.title FROM vault.company c JOIN vault.company_cta t ON t.company_id = c.id;
SELECT flp.protect('vault.company', 'edit');
SELECT flp.protect('vault.company_cta', 'edit');
SELECT flp.define_area('company_relationship', ARRAY['vault.company', 'vault.company_cta']::regclass[]);
SELECT flp.add_partner('AtkPartner');
SELECT flp.register_user('atk_partner', 'full', '{}', 'AtkPartner');
SELECT flp.partner_scope('vault.company', 'id');
SELECT flp.link_records('vault.company_cta', 'company_id', 'vault.company');
SELECT flp.assign_record('AtkPartner', 'vault.company', '1');
GRANT USAGE ON SCHEMA vault TO atk_partner;
GRANT USAGE, CREATE ON SCHEMA scratch TO atk_partner;
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.company, vault.company_cta, vault.v_company,
	vault.v_company_cta TO atk_partner, atk_subject, atk_admin;
DO $$
BEGIN
	EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO atk_partner', current_database());
END $$;
ANALYZE vault.company, vault.company_cta;

-- ------------------------------------------------------------------ order and partitions
-- vault.ordered: an index on (grp, secret) would return rows in the order of
-- the hidden secret (review F3); vault.scored is partitioned by a hidden
-- salary, so a row's partition tells its range (F4).
CREATE TABLE vault.ordered (id int PRIMARY KEY, grp int, secret text, UNIQUE (grp, secret));
INSERT INTO vault.ordered VALUES (1, 1, 'mango'), (2, 1, 'apple'), (3, 1, 'zebra'), (4, 1, 'kiwi');
VACUUM ANALYZE vault.ordered;
CREATE TABLE vault.scored (id int, name text, salary int) PARTITION BY RANGE (salary);
CREATE TABLE vault.scored_lo PARTITION OF vault.scored FOR VALUES FROM (MINVALUE) TO (50000);
CREATE TABLE vault.scored_hi PARTITION OF vault.scored FOR VALUES FROM (50000) TO (MAXVALUE);
INSERT INTO vault.scored VALUES (1, 'ann', 30000), (2, 'ben', 90000);
SELECT flp.protect('vault.ordered');
SELECT flp.protect('vault.scored');
SELECT flp.set_permission('Atk', t, NULL, 'edit')
  FROM unnest(ARRAY['vault.ordered', 'vault.scored']::regclass[]) t;
SELECT flp.set_permission('Atk', 'vault.ordered', 'secret', 'hide');
SELECT flp.set_permission('Atk', 'vault.scored', 'salary', 'hide');
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.ordered, vault.scored TO atk_subject, atk_admin;

-- ------------------------------------------------------------------ trusted masks
-- vault.masked: a hidden field with a custom mask of a superuser, pinned
-- with SET search_path (flp refuses unpinned masks); the subject may put
-- its own schema first in search_path and define functions and operators
-- of the same names there.
CREATE FUNCTION vault.mask_initial(text) RETURNS text IMMUTABLE LANGUAGE sql
	SET search_path = pg_catalog AS $f$ SELECT left($1, 1) || '***' $f$;
CREATE TABLE vault.masked (id int PRIMARY KEY, email text, note text);
INSERT INTO vault.masked VALUES (1, 'CNRY_MSK_6f1a', 'm1');
SELECT flp.protect('vault.masked');
SELECT flp.set_permission('Atk', 'vault.masked', NULL, 'edit');
SELECT flp.set_permission('Atk', 'vault.masked', 'email', 'hide');
SELECT flp.set_mask('vault.masked', 'email', 'vault.mask_initial(text)');
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.masked TO atk_subject, atk_admin;

-- ------------------------------------------------------------------ BYPASSRLS
-- atk_etl: a subject with BYPASSRLS (an ETL role, say), with atk_subject's
-- privileges and bundles; atk_partner may TRUNCATE the scoped CTAs.
CREATE ROLE atk_etl LOGIN BYPASSRLS IN ROLE atk_subject;
GRANT TRUNCATE ON vault.company, vault.company_cta TO atk_partner, atk_subject;

-- ------------------------------------------------------------------ sub-partitions
-- vault.tiered: partitioned by a visible region, its emea partition by a
-- hidden salary: the leaf a row is in tells the salary's range (class 4).
CREATE TABLE vault.tiered (id int, region text, salary int) PARTITION BY LIST (region);
CREATE TABLE vault.tiered_emea PARTITION OF vault.tiered FOR VALUES IN ('emea')
	PARTITION BY RANGE (salary);
CREATE TABLE vault.tiered_emea_lo PARTITION OF vault.tiered_emea FOR VALUES FROM (MINVALUE) TO (50000);
CREATE TABLE vault.tiered_emea_hi PARTITION OF vault.tiered_emea FOR VALUES FROM (50000) TO (MAXVALUE);
CREATE TABLE vault.tiered_na PARTITION OF vault.tiered FOR VALUES IN ('na');
INSERT INTO vault.tiered VALUES (1, 'emea', 30000), (2, 'emea', 90000), (3, 'na', 40000);
SELECT flp.protect('vault.tiered');
SELECT flp.set_permission('Atk', 'vault.tiered', NULL, 'edit');
SELECT flp.set_permission('Atk', 'vault.tiered', 'salary', 'hide');
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.tiered TO atk_subject, atk_admin;
-- atk_subject holds TRIGGER on vault.masked: flp still refuses its triggers (class 13)
GRANT TRIGGER ON vault.masked TO atk_subject;
-- PostgreSQL 17: MAINTAIN (and pg_maintain) let a role that does not own a
-- table VACUUM, ANALYZE, CLUSTER and REINDEX it (19: REPACK)
DO $$
BEGIN
	IF current_setting('server_version_num')::int >= 170000 THEN
		EXECUTE 'GRANT MAINTAIN ON vault.acct TO atk_subject';
		EXECUTE 'GRANT pg_maintain TO atk_partner';
	END IF;
END $$;

-- ------------------------------------------------------------------ sequences, constant unique values
-- vault.ticket: hidden fields filled by a serial and an identity sequence
-- (class 9); vault.nnd: a hidden field alone in a UNIQUE NULLS NOT DISTINCT
-- index, one row holding NULL there.
CREATE TABLE vault.ticket (id int PRIMARY KEY, title text, seqno serial,
						   code int GENERATED BY DEFAULT AS IDENTITY);
INSERT INTO vault.ticket (id, title) VALUES (1, 't1'), (2, 't2');
CREATE TABLE vault.nnd (id int PRIMARY KEY, name text, flag text UNIQUE NULLS NOT DISTINCT);
INSERT INTO vault.nnd VALUES (1, 'a', NULL), (2, 'b', 'x');
SELECT flp.protect('vault.ticket');
SELECT flp.protect('vault.nnd');
SELECT flp.set_permission('Atk', t, NULL, 'edit')
  FROM unnest(ARRAY['vault.ticket', 'vault.nnd']::regclass[]) t;
SELECT flp.set_permission('Atk', 'vault.ticket', 'seqno', 'hide');
SELECT flp.set_permission('Atk', 'vault.ticket', 'code', 'hide');
SELECT flp.set_permission('Atk', 'vault.nnd', 'flag', 'hide');
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.ticket, vault.nnd TO atk_subject, atk_admin;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE vault.ticket_seqno_seq, vault.ticket_code_seq
	TO atk_subject, atk_admin;

-- ------------------------------------------------------------------ published report views
-- Published by the super admin running this, so evaluated with a superuser's
-- field permissions: pv_counts shows counts over hidden fields; pv_gate shows
-- hidden values of no row (its filter matches none), so a leaky condition of
-- a reader evaluated below its filter would see them; pv_changed was
-- published, then replaced to show a hidden field (the publication lapsed);
-- pv_scoped aggregates the companies the reader's row rules let in;
-- pv_owner_masked belongs to atk_viewowner, who holds the subject's bundle.
CREATE VIEW vault.pv_counts AS
	SELECT count(*) AS n, count(secret) AS with_secret, count(DISTINCT secret) AS distinct_secrets
	  FROM vault.acct WHERE num > 700000;
CREATE VIEW vault.pv_gate AS SELECT id, secret, num FROM vault.acct WHERE ro = 'ro-none';
CREATE VIEW vault.pv_changed AS SELECT id, name FROM vault.acct;
CREATE VIEW vault.pv_scoped AS
	SELECT count(*) AS n, string_agg(name, ',' ORDER BY name) AS names FROM vault.company;
CREATE ROLE atk_viewowner NOLOGIN;
GRANT USAGE ON SCHEMA vault TO atk_viewowner;
GRANT SELECT ON vault.acct TO atk_viewowner;
SELECT flp.assign('Atk', 'atk_viewowner');
CREATE VIEW vault.pv_owner_masked AS SELECT id, secret, num FROM vault.acct;
ALTER VIEW vault.pv_owner_masked OWNER TO atk_viewowner;
SELECT flp.publish_view(v)
  FROM unnest(ARRAY['vault.pv_counts', 'vault.pv_gate', 'vault.pv_changed', 'vault.pv_scoped',
					'vault.pv_owner_masked']::regclass[]) v;
CREATE OR REPLACE VIEW vault.pv_changed AS SELECT id, name, secret FROM vault.acct;
GRANT SELECT ON vault.pv_counts, vault.pv_gate, vault.pv_changed, vault.pv_scoped,
	vault.pv_owner_masked TO atk_subject, atk_partner, atk_admin;
-- pv_by_map reads a table of the subject's (a segment map) and belongs to
-- atk_admin, a super admin that is not a superuser, so that row-level
-- security applies inside it: a policy the subject plants on its table would
-- run there (red team, 2026-12-07)
CREATE TABLE scratch.atk_map (id int, k text);
INSERT INTO scratch.atk_map VALUES (1, 'a'), (2, 'b'), (3, 'a'), (4, 'b');
ALTER TABLE scratch.atk_map OWNER TO atk_subject;
GRANT SELECT ON scratch.atk_map TO PUBLIC;
CREATE VIEW vault.pv_by_map AS
	SELECT m.k, count(*) AS n FROM scratch.atk_map m JOIN vault.acct a ON a.id = m.id GROUP BY m.k;
ALTER VIEW vault.pv_by_map OWNER TO atk_admin;
SELECT flp.publish_view('vault.pv_by_map');
GRANT SELECT ON vault.pv_by_map TO atk_subject, atk_partner, atk_admin;
-- pv_cast casts hidden text, as its owner sees it, to a date: the cast fails,
-- and its message would quote the value (second red team, 2026-12-07)
CREATE VIEW vault.pv_cast AS SELECT count(*) FILTER (WHERE secret::date IS NOT NULL) AS dated FROM vault.acct;
SELECT flp.publish_view('vault.pv_cast');
GRANT SELECT ON vault.pv_cast TO atk_subject, atk_partner, atk_admin;
