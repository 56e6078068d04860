-- test/fuzz/setup-extra.sql -- more canary-seeded objects for the sqlsmith
-- fuzz run (test/shell/50-fuzz.sh), loaded after test/attacks/setup.sql.
--
-- The attack schema covers hidden fields of the common types; this adds types
-- whose mask is NULL and whose text forms differ (uuid, inet, timestamp,
-- interval, ranges, composites, float8, tsvector, xml), an inheritance
-- parent with a child that has a hidden column of its own, a table under a
-- record-level data rule whose invisible rows carry canaries in editable
-- fields, views over them, and gives the partner user SELECT on every vault
-- table (all but its partner area are hidden from it by default).
-- The canaries are listed in test/fuzz/canaries-extra.txt.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- ------------------------------------------------------------------ typed
CREATE TYPE vault.pair AS (a int, b text);
CREATE TABLE vault.typed (
	id int PRIMARY KEY,                    -- excluded
	label text,                            -- edit
	u uuid,                                -- hide
	ip inet,                               -- hide
	ts timestamp,                          -- hide
	iv interval,                           -- hide
	rng int8range,                         -- hide
	pr vault.pair,                         -- hide
	f8 float8,                             -- hide
	tv tsvector,                           -- hide
	x xml                                  -- hide
);
INSERT INTO vault.typed VALUES
	(1, 'typed-1', 'c0ffee00-cafe-4bad-8bad-5eed5eed5eed', '203.0.113.77',
	 '1931-02-03 04:05:06', '37 days 11:22:33', '[83746152,83746153)',
	 ROW(58213476, 'CNRY_PAIR_7f3a'), 0.918273645, 'cnry_tsv_5b6a',
	 '<c>CNRY_XML_8e1f</c>'),
	(2, 'typed-2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- ------------------------------------------------------------------ inheritance
CREATE TABLE vault.inh_base (
	id int PRIMARY KEY,                    -- excluded
	label text,                            -- edit
	hsecret text                           -- hide
);
CREATE TABLE vault.inh_child (
	own_secret text                        -- the child's own column: hidden
) INHERITS (vault.inh_base);
INSERT INTO vault.inh_base VALUES (1, 'base-1', 'CNRY_INH_1a2b');
INSERT INTO vault.inh_child VALUES (2, 'child-2', 'CNRY_INH2_9c8d', 'CNRY_INHC_3c4d');

-- ------------------------------------------------------------------ record level
-- atk_subject (bundle Atk) sees only the emea row; the others are canaries.
CREATE TABLE vault.ruled (
	id int PRIMARY KEY,                    -- excluded
	region text,                           -- edit
	note text                              -- edit
);
INSERT INTO vault.ruled VALUES
	(1, 'emea', 'ruled visible'),
	(2, 'na', 'CNRY_RULED_6d2e'),
	(3, NULL, 'CNRY_RULED2_0f4a');

-- ------------------------------------------------------------------ views
CREATE VIEW vault.v_typed AS SELECT * FROM vault.typed;
CREATE VIEW vault.v_barrier WITH (security_barrier = true) AS
	SELECT id, label, u, ts, pr FROM vault.typed WHERE id > 0;
CREATE VIEW vault.v_inh AS SELECT * FROM vault.inh_base;
CREATE VIEW vault.v_ruled AS SELECT * FROM vault.ruled;

-- ------------------------------------------------------------------ flp
SELECT flp.protect(t) FROM unnest(ARRAY['vault.typed', 'vault.inh_base', 'vault.ruled']::regclass[]) t;
SELECT flp.exclude_field(t, 'id')
  FROM unnest(ARRAY['vault.typed', 'vault.inh_base', 'vault.ruled']::regclass[]) t;
SELECT flp.set_permission('Atk', t, NULL, 'edit')
  FROM unnest(ARRAY['vault.typed', 'vault.inh_base', 'vault.ruled']::regclass[]) t;
SELECT flp.set_permission('Atk', 'vault.typed', f, 'hide')
  FROM unnest(ARRAY['u', 'ip', 'ts', 'iv', 'rng', 'pr', 'f8', 'tv', 'x']::name[]) f;
SELECT flp.set_permission('Atk', 'vault.inh_base', 'hsecret', 'hide');
SELECT flp.add_data_rule('vault.ruled', $$region = 'emea'$$, 'edit', 'Atk');

-- ------------------------------------------------------------------ privileges
GRANT SELECT, INSERT, UPDATE, DELETE ON vault.typed, vault.inh_base, vault.inh_child, vault.ruled,
	vault.v_typed, vault.v_barrier, vault.v_inh, vault.v_ruled TO atk_subject, atk_admin;
GRANT USAGE ON TYPE vault.pair TO atk_subject, atk_admin, atk_partner;
GRANT SELECT ON ALL TABLES IN SCHEMA vault TO atk_partner;

ANALYZE vault.typed, vault.inh_base, vault.inh_child, vault.ruled;
