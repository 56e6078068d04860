-- test/differential/schema.sql -- the deterministic schema and data of the
-- differential run (test/shell/55-differential.sh), loaded into both
-- clusters (with and without flp).  Plain SQL, no flp: test/differential/
-- flp.sql governs some of these tables in the flp cluster only.
--
-- Every value is computed from generate_series (no random(), no clock), so
-- both clusters hold the same rows in the same physical order.  No sequences
-- (serial, identity): a query run twice would see other values.
--
-- Roles (global; the script drops them afterwards):
--   diff_admin    LOGIN, member of flp_admin (a super admin where flp is), with
--                 every privilege on schema cs
--   diff_reader   LOGIN, a subject where flp is: privileges only on the
--                 ungoverned tables (sqlsmith, introspecting as this role,
--                 sees only those)
--   diff_editor   LOGIN, a subject where flp is, with Edit on every field of
--                 the governed tables it has privileges on (those without
--                 data rules): flp rewrites its queries, and must not change
--                 their answers
--   diff_partner  LOGIN, a partner user where flp is; used by the control
--                 query that must differ
--   flp_admin     created here where the extension did not create it

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'flp_admin') THEN
		CREATE ROLE flp_admin NOLOGIN;
	END IF;
END $$;
CREATE ROLE diff_admin LOGIN IN ROLE flp_admin;
CREATE ROLE diff_reader LOGIN;
CREATE ROLE diff_editor LOGIN;
CREATE ROLE diff_partner LOGIN;

CREATE SCHEMA cs;
CREATE TYPE cs.tier AS ENUM ('bronze', 'silver', 'gold', 'platinum');
CREATE DOMAIN cs.email AS text CHECK (VALUE LIKE '%@%');
CREATE TYPE cs.money_range AS RANGE (subtype = numeric);

-- ------------------------------------------------------------------ governed (in the flp cluster)
CREATE TABLE cs.company (
	id int PRIMARY KEY,
	name text NOT NULL UNIQUE,
	region text,
	tier cs.tier,
	arr numeric(12, 2),
	employees int,
	founded date,
	tax_id varchar(20),
	website text,
	tags text[],
	profile jsonb,
	active boolean,
	score float8
);
INSERT INTO cs.company
SELECT i,
	   'company ' || lpad(i::text, 3, '0'),
	   (ARRAY['emea', 'na', 'apac', 'latam', NULL])[i % 5 + 1],
	   (ARRAY['bronze', 'silver', 'gold', 'platinum'])[i % 4 + 1]::cs.tier,
	   CASE WHEN i % 9 = 0 THEN NULL ELSE round((i * 7919 % 100000) * 13.37, 2) END,
	   (i * 37) % 5000 + 5,
	   date '1990-01-01' + (i * 211) % 9000,
	   CASE WHEN i % 6 = 0 THEN NULL ELSE 'TX-' || lpad(((i * 104729) % 1000000)::text, 6, '0') END,
	   'https://c' || i || '.example.com',
	   CASE WHEN i % 4 = 0 THEN NULL ELSE ARRAY['t' || i % 3, 't' || i % 5] END,
	   jsonb_build_object('seats', i * 3, 'plan', (ARRAY['basic', 'pro', 'ent'])[i % 3 + 1],
						  'flags', jsonb_build_array(i % 2 = 0, i % 3 = 0)),
	   i % 3 <> 0,
	   CASE WHEN i % 8 = 0 THEN NULL ELSE (i * 0.37)::float8 / 7 END
  FROM generate_series(1, 60) i;

CREATE TABLE cs.contact (
	id int PRIMARY KEY,
	company_id int REFERENCES cs.company,
	full_name text NOT NULL,
	email cs.email,
	phone text,
	ssn char(11),
	birthday date,
	salary numeric,
	notes text
);
INSERT INTO cs.contact
SELECT i,
	   1 + (i * 7) % 60,
	   'person ' || i,
	   CASE WHEN i % 10 = 0 THEN NULL ELSE 'p' || i || '@c' || (1 + (i * 7) % 60) || '.example.com' END,
	   '+1-555-' || lpad((i * 97 % 10000)::text, 4, '0'),
	   lpad((i * 31 % 1000)::text, 3, '0') || '-' || lpad((i % 100)::text, 2, '0') || '-' ||
		 lpad((i * 7 % 10000)::text, 4, '0'),
	   date '1950-01-01' + (i * 331) % 18000,
	   CASE WHEN i % 11 = 0 THEN NULL ELSE 30000 + (i * 1237) % 120000 END,
	   repeat('note ' || i || ' ', i % 4)
  FROM generate_series(1, 150) i;

CREATE TABLE cs.relationship (
	id int PRIMARY KEY,
	company_id int NOT NULL REFERENCES cs.company,
	kind text,
	started timestamp,
	health int,
	owner name
);
INSERT INTO cs.relationship
SELECT i, 1 + (i * 13) % 60, (ARRAY['subsidiary', 'product', 'region'])[i % 3 + 1],
	   timestamp '2015-01-01 08:00' + make_interval(days => i * 17, mins => i * 7),
	   CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 29) % 100 END,
	   ('owner_' || i % 6)::name
  FROM generate_series(1, 80) i;

CREATE TABLE cs.cta (
	id int PRIMARY KEY,
	company_id int REFERENCES cs.company,
	title text,
	priority smallint,
	due date,
	status text,
	amount numeric
);
INSERT INTO cs.cta
SELECT i, 1 + (i * 11) % 60, 'cta ' || i || ' of ' || (1 + (i * 11) % 60), (i % 5)::smallint,
	   date '2024-01-01' + i % 200, (ARRAY['open', 'closed', 'snoozed'])[i % 3 + 1],
	   CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 1.25)::numeric END
  FROM generate_series(1, 120) i;

CREATE TABLE cs.opportunity (
	id int,
	company_id int,
	stage text,
	amount numeric(14, 2),
	closed_on date,
	probability real,
	PRIMARY KEY (id)
) PARTITION BY RANGE (id);
CREATE TABLE cs.opportunity_a PARTITION OF cs.opportunity FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE cs.opportunity_b PARTITION OF cs.opportunity FOR VALUES FROM (100) TO (MAXVALUE);
INSERT INTO cs.opportunity
SELECT i, 1 + (i * 17) % 60, (ARRAY['lead', 'qualified', 'won', 'lost'])[i % 4 + 1],
	   (i * 4711 % 90000)::numeric / 3, CASE WHEN i % 4 IN (2, 3) THEN date '2023-06-01' + i END,
	   ((i % 10) / 10.0)::real
  FROM generate_series(1, 200) i;

CREATE TABLE cs.survey (
	id int PRIMARY KEY,
	company_id int,
	nps smallint,
	comment text,
	answered timestamp,
	answers jsonb
);
INSERT INTO cs.survey
SELECT i, 1 + (i * 19) % 60, (i * 7 % 11)::smallint,
	   CASE WHEN i % 3 = 0 THEN NULL ELSE 'comment ' || i END,
	   timestamp '2024-02-01' + make_interval(hours => i * 5),
	   jsonb_build_object('q1', i % 5, 'q2', CASE WHEN i % 2 = 0 THEN 'yes' ELSE 'no' END)
  FROM generate_series(1, 100) i;

-- an inheritance parent and child
CREATE TABLE cs.activity (
	id bigint PRIMARY KEY,
	company_id int,
	body text,
	ts timestamp,
	duration interval,
	ip inet,
	uid uuid,
	budget cs.money_range
);
CREATE TABLE cs.activity_call (
	call_minutes int
) INHERITS (cs.activity);
INSERT INTO cs.activity
SELECT i, 1 + (i * 23) % 60, 'activity ' || i, timestamp '2024-03-01' + make_interval(mins => i * 91),
	   make_interval(mins => i % 90), ('10.0.' || i % 7 || '.' || i)::inet,
	   md5('activity' || i)::uuid,
	   CASE WHEN i % 5 = 0 THEN NULL ELSE numrange(i, i * 2 + 1)::text::cs.money_range END
  FROM generate_series(1, 100) i;
INSERT INTO cs.activity_call
SELECT i, 1 + (i * 29) % 60, 'call ' || i, timestamp '2024-04-01' + make_interval(mins => i * 53),
	   make_interval(mins => i % 45), NULL, md5('call' || i)::uuid, NULL, i % 60
  FROM generate_series(101, 140) i;

-- ------------------------------------------------------------------ never governed
CREATE TABLE cs.region (
	code text PRIMARY KEY,
	name text,
	manager text
);
INSERT INTO cs.region VALUES
	('emea', 'Europe, Middle East, Africa', 'ana'), ('na', 'North America', 'bo'),
	('apac', 'Asia Pacific', NULL), ('latam', 'Latin America', 'cy'), ('none', NULL, NULL);

CREATE TABLE cs.calendar (
	day date PRIMARY KEY,
	quarter int,
	is_holiday boolean,
	label varchar(12)
);
INSERT INTO cs.calendar
SELECT d, extract(quarter FROM d)::int, extract(dow FROM d) IN (0, 6), to_char(d, 'Dy DD Mon')
  FROM generate_series(0, 120) AS g(i), LATERAL (SELECT date '2024-01-01' + i AS d) x;

CREATE TABLE cs.product (
	id int PRIMARY KEY,
	sku text UNIQUE,
	price numeric(10, 2),
	dims int[],
	meta jsonb,
	weight real,
	tier cs.tier,
	launched timestamp
);
INSERT INTO cs.product
SELECT i, 'SKU-' || lpad(i::text, 4, '0'), CASE WHEN i % 7 = 0 THEN NULL ELSE i * 9.99 END,
	   ARRAY[i % 4, i % 9, i % 13], jsonb_build_object('color', (ARRAY['red', 'green', 'blue'])[i % 3 + 1]),
	   (i * 1.5)::real, (ARRAY['bronze', 'silver', 'gold', 'platinum'])[i % 4 + 1]::cs.tier,
	   timestamp '2020-01-01' + make_interval(days => i * 29)
  FROM generate_series(1, 40) i;

CREATE TABLE cs.audit_log (
	id int PRIMARY KEY,
	who text,
	what text,
	at timestamp,
	payload jsonb,
	product_id int REFERENCES cs.product
);
INSERT INTO cs.audit_log
SELECT i, 'user' || i % 5, (ARRAY['create', 'update', 'delete'])[i % 3 + 1],
	   timestamp '2024-05-01' + make_interval(secs => i * 977),
	   CASE WHEN i % 4 = 0 THEN NULL ELSE jsonb_build_object('n', i, 'ok', i % 2 = 0) END,
	   CASE WHEN i % 6 = 0 THEN NULL ELSE 1 + i % 40 END
  FROM generate_series(1, 80) i;

CREATE TABLE cs.kv (
	k text PRIMARY KEY,
	v text
);

-- ------------------------------------------------------------------ views and functions
CREATE VIEW cs.v_company_summary AS
	SELECT c.id, c.name, c.region, c.tier, c.arr,
		   (SELECT count(*) FROM cs.contact k WHERE k.company_id = c.id) AS contacts,
		   (SELECT sum(o.amount) FROM cs.opportunity o WHERE o.company_id = c.id) AS pipeline
	  FROM cs.company c;
CREATE VIEW cs.v_region_arr AS
	SELECT region, count(*) AS companies, sum(arr) AS arr FROM cs.company GROUP BY region;
CREATE VIEW cs.v_product AS
	SELECT p.id, p.sku, p.price, r.name AS region_name
	  FROM cs.product p LEFT JOIN cs.region r ON r.code = (ARRAY['emea', 'na', 'apac'])[p.id % 3 + 1];
CREATE FUNCTION cs.f_company_name(int) RETURNS text
	LANGUAGE sql STABLE AS $$ SELECT name FROM cs.company WHERE id = $1 $$;
CREATE FUNCTION cs.f_price_with_tax(numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE AS $$ SELECT round($1 * 1.2, 2) $$;
CREATE FUNCTION cs.f_contacts(int) RETURNS SETOF text
	LANGUAGE sql STABLE AS $$ SELECT full_name FROM cs.contact WHERE company_id = $1 ORDER BY id $$;

CREATE INDEX company_region_idx ON cs.company (region);
CREATE INDEX contact_company_idx ON cs.contact (company_id);
CREATE INDEX cta_company_idx ON cs.cta (company_id, status);
CREATE INDEX product_meta_idx ON cs.product USING gin (meta);

-- ------------------------------------------------------------------ privileges
GRANT USAGE ON SCHEMA cs TO diff_admin, diff_reader, diff_editor, diff_partner;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA cs TO diff_admin;
GRANT SELECT, INSERT, UPDATE, DELETE ON cs.region, cs.calendar, cs.product, cs.audit_log, cs.kv,
	cs.v_product TO diff_reader;
-- (not cs.activity_call: the child's own column is hidden, by design, from
-- every subject; not cs.survey and cs.opportunity: they have data rules)
GRANT SELECT, INSERT, UPDATE, DELETE ON cs.company, cs.contact, cs.relationship, cs.cta, cs.activity,
	cs.v_region_arr, cs.region, cs.calendar, cs.product, cs.audit_log, cs.kv, cs.v_product
	TO diff_editor;
GRANT SELECT ON cs.company TO diff_partner;
