#!/usr/bin/env bash
# test/shell/65-dump-restore-fresh.sh -- flp's rules survive pg_dump /
# pg_restore into a FRESH cluster: every role sees exactly the same there.
#
# Starts two throwaway clusters of its own, both with flp preloaded.  In the
# first: governed tables with dropped columns (attribute numbers differ after
# the restore -- checked), a partitioned governed table, excluded and
# inherited fields, masks (default, mask_email, mask_hash, a custom mask
# function), bundles (internal by assignment to a group role, viewer by a
# criteria rule, a partner bundle), field settings, registered users, seats,
# partners, partner areas, partner scope, record assignments (to a partner and
# to one partner user), a record link, data rules, and an flp_admin member.
# The roles are carried over with `pg_dumpall --roles-only` (flp_admin
# included, before the extension exists in the new cluster), the database
# with `pg_dump -Fc` and a parallel `pg_restore -j 4 -C --exit-on-error` (and
# once more as plain SQL, `pg_dump -Fp | psql`, into a second database of that
# cluster).  A parallel restore loads flp's catalog tables in any order; the
# references between them are triggers that let it (src/catalog/references.c).  It
# proves that in the new cluster:
#   - flp.effective_permissions, flp.explain, flp.bundles, flp.explain_record,
#     the catalog rows (by name), flp's row-level security policies and
#     guards, and the database's session_preload_libraries are identical;
#   - the same queries run as each role (masked reads, views, whole-row
#     references, a partner user's visible rows, data-rule rows, refusals
#     with 42501 for filters and writes, COPY, EXPLAIN) answer identically;
#   - flp.mask_hash gives identical hashes (its key is dumped and restored);
#   - the restored rules keep working: a change made after the restore
#     (assign_record, set_permission) takes effect there.
# Leaves the main test cluster alone. Exit 0 = pass, 1 = fail.
set -uo pipefail
# the set-up's notices (flp.protect's advice) are not this test's output
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
export FLP_PG_BIN
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"

NAME=65-dump-restore-fresh
DB=flp_fresh
CANARY=CNRY_FRESH
START=$SECONDS
SRC_DIR=""
DST_DIR=""
TMP="$(mktemp -d /tmp/flp-fresh-test.XXXXXX)"
chmod 0755 "$TMP"
CHECKS=0

fail() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "  ok: $* [$((SECONDS - START))s]"
}

cleanup() {
	[[ -z "$DST_DIR" ]] || flp_cluster_stop "$DST_DIR"
	[[ -z "$SRC_DIR" ]] || flp_cluster_stop "$SRC_DIR"
	if [[ -n "${FLP_KEEP_CLUSTER:-}" ]]; then
		echo "FLP_KEEP_CLUSTER set: keeping $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

flp_cluster_start "" flp || fail "cannot start the source cluster"
SRC_DIR="$FLP_CLUSTER_DIR"
SRC_HOST="$PGHOST" SRC_PORT="$PGPORT"
flp_cluster_start "" flp || fail "cannot start the fresh cluster"
DST_DIR="$FLP_CLUSTER_DIR"
DST_HOST="$PGHOST" DST_PORT="$PGPORT"
unset PGHOST PGPORT PGDATABASE FLP_CLUSTER_DIR
export PGUSER=postgres

psql_src() { "$FLP_PG_BIN/psql" -X -q -h "$SRC_HOST" -p "$SRC_PORT" "$@"; }
psql_dst() { "$FLP_PG_BIN/psql" -X -q -h "$DST_HOST" -p "$DST_PORT" "$@"; }

# ------------------------------------------------------- the source database
psql_src -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "creating the source database"
CREATE DATABASE $DB;
SQL
psql_src -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || fail "loading the rules in the source"
CREATE EXTENSION flp;
CREATE ROLE fr_team NOLOGIN;
CREATE ROLE fr_sales LOGIN IN ROLE fr_team;
CREATE ROLE fr_vera LOGIN;
CREATE ROLE fr_emea LOGIN;
CREATE ROLE fr_acme_ann LOGIN;
CREATE ROLE fr_acme_bob LOGIN;
CREATE ROLE fr_admin LOGIN IN ROLE flp_admin;
CREATE ROLE fr_nobody LOGIN;

CREATE FUNCTION public.mask_region(text) RETURNS text IMMUTABLE LANGUAGE sql
  SET search_path = pg_catalog AS \$\$ SELECT upper(left(\$1, 1)) || '…' \$\$;

CREATE TABLE company (id int PRIMARY KEY, gone1 text, name text, gone2 int, region text,
                      arr numeric, tax_id text, email text, contact text);
ALTER TABLE company DROP COLUMN gone1, DROP COLUMN gone2;   -- attnums shift on restore
INSERT INTO company
SELECT i, 'Company ' || i, CASE WHEN i % 2 = 0 THEN 'emea' ELSE 'na' END, i * 1000,
       '${CANARY}_TAX_' || i, 'owner' || i || '@example.com', '${CANARY}_CONTACT_' || i
  FROM generate_series(1, 6) i;
CREATE TABLE cta (id int PRIMARY KEY, gone text, company_id int REFERENCES company,
                  title text, internal_notes text);
ALTER TABLE cta DROP COLUMN gone;
INSERT INTO cta SELECT i, (i % 6) + 1, 'CTA ' || i, '${CANARY}_NOTES_' || i
  FROM generate_series(1, 12) i;
CREATE TABLE deals (id int PRIMARY KEY, region text, stage text, amount numeric, margin text);
INSERT INTO deals VALUES (1, 'emea', 'open', 100, 'm1'), (2, 'emea', 'won', 200, 'm2'),
                         (3, 'na', 'open', 300, 'm3'), (4, 'na', 'lost', 400, 'm4');
CREATE TABLE events (id int, at date, kind text, payload text) PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 (id int, gone text, at date, kind text, payload text);
ALTER TABLE events_2024 DROP COLUMN gone;
ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO events VALUES (1, '2023-05-01', 'login', '${CANARY}_P1'), (2, '2024-05-01', 'logout', '${CANARY}_P2');
CREATE VIEW company_report AS
  SELECT c.id, c.name, c.region, c.tax_id, count(t.id) AS ctas
    FROM company c LEFT JOIN cta t ON t.company_id = c.id GROUP BY c.id;
GRANT SELECT, INSERT, UPDATE, DELETE ON company, cta, deals, events, events_2023, events_2024
  TO fr_team, fr_vera, fr_emea, fr_acme_ann, fr_acme_bob, fr_admin, fr_nobody;
GRANT SELECT ON company_report TO fr_team, fr_vera, fr_emea, fr_acme_ann, fr_acme_bob, fr_nobody;

SELECT flp.protect('company');
SELECT flp.protect('cta', 'read');
SELECT flp.protect('deals', 'edit');
SELECT flp.protect('events');
SELECT flp.exclude_field('company', 'id');
SELECT flp.exclude_field('events', 'id');
SELECT flp.set_mask('company', 'email', 'flp.mask_email(text)');
SELECT flp.set_mask('company', 'contact', 'flp.mask_hash(text)');
SELECT flp.set_mask('company', 'region', 'public.mask_region(text)');
SELECT flp.inherit_field('cta', 'internal_notes', 'company', 'tax_id');

SELECT flp.create_bundle('Sales', description => 'the sales team');
SELECT flp.set_permission('Sales', 'company', NULL, 'edit');
SELECT flp.set_permission('Sales', 'company', 'tax_id', 'hide');
SELECT flp.set_permission('Sales', 'company', 'email', 'hide');
SELECT flp.set_permission('Sales', 'company', 'contact', 'hide');
SELECT flp.set_permission('Sales', 'company', 'arr', 'read');
SELECT flp.set_permission('Sales', 'cta', NULL, 'edit');
SELECT flp.set_permission('Sales', 'events', NULL, 'read');
SELECT flp.set_permission('Sales', 'events', 'payload', 'hide');
SELECT flp.set_permission('Sales', 'deals', NULL, 'edit');
SELECT flp.set_permission('Sales', 'deals', 'margin', 'hide');
SELECT flp.assign('Sales', 'fr_team');
SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'company', NULL, 'edit');
SELECT flp.set_permission('Viewers', 'company', 'name', 'hide');
SELECT flp.set_permission('Viewers', 'company', 'region', 'hide');
SELECT flp.set_permission('Viewers', 'company', 'tax_id', 'hide');
SELECT flp.set_permission('Viewers', 'company', 'contact', 'hide');
SELECT flp.add_rule('Viewers', '{"region": "emea"}');
SELECT flp.register_user('fr_vera', 'viewer', '{"region": "emea"}');
SELECT flp.register_user('fr_emea', 'full', '{"region": "emea"}');
SELECT flp.set_seats('viewer', 3);
SELECT flp.create_bundle('Managers');
SELECT flp.set_permission('Managers', 'deals', NULL, 'edit');
SELECT flp.set_permission('Managers', 'deals', 'stage', 'read');
SELECT flp.assign('Managers', 'fr_team');
SELECT flp.add_data_rule('deals', \$\$region = flp.attribute('region')\$\$);
SELECT flp.add_data_rule('deals', \$\$stage = 'open'\$\$, 'edit', 'Managers');

SELECT flp.add_partner('Acme', '1');
SELECT flp.add_partner('Globex', '3');
SELECT flp.register_user('fr_acme_ann', 'full', '{}', 'Acme');
SELECT flp.register_user('fr_acme_bob', 'full', '{}', 'Acme');
SELECT flp.define_area('company_relationship', '{company}');
SELECT flp.define_area('cockpit', '{cta}');
SELECT flp.create_bundle('Acme partners', kind => 'partner');
SELECT flp.set_permission('Acme partners', 'company', NULL, 'edit');
SELECT flp.set_permission('Acme partners', 'company', 'tax_id', 'hide');
SELECT flp.set_permission('Acme partners', 'company', 'contact', 'hide');
SELECT flp.set_permission('Acme partners', 'company', 'arr', 'read');
SELECT flp.set_permission('Acme partners', 'cta', NULL, 'read');
SELECT flp.assign_partner_bundle('Acme', 'Acme partners');
SELECT flp.partner_scope('company', 'id');
SELECT flp.link_records('cta', 'company_id', 'company');
SELECT flp.assign_record('Acme', 'company', '1');
SELECT flp.assign_record('Acme', 'company', '2', 'fr_acme_ann');
SELECT flp.assign_record('Globex', 'company', '3');
ANALYZE;
SQL
ok "source: rules with partners, scope, records, links, data rules, masks, partitions, dropped columns"

# ---------------------------------------------------------- dump and restore
ROLES="$TMP/roles.sql" DUMP="$TMP/db.dump"
"$FLP_PG_BIN/pg_dumpall" -h "$SRC_HOST" -p "$SRC_PORT" --roles-only --no-role-passwords \
	-f "$ROLES" || fail "pg_dumpall --roles-only"
"$FLP_PG_BIN/pg_dump" -h "$SRC_HOST" -p "$SRC_PORT" -Fc -d "$DB" -f "$DUMP" || fail "pg_dump"
# the same, as a plain SQL script (restored into a second database below)
"$FLP_PG_BIN/pg_dump" -h "$SRC_HOST" -p "$SRC_PORT" -Fp -d "$DB" -f "$TMP/db.sql" || fail "pg_dump -Fp"
# the only error loading the roles may be the bootstrap superuser that exists
out="$(psql_dst -d postgres -f "$ROLES" 2>&1 >/dev/null)"
grep 'ERROR' <<<"$out" | grep -vq 'role "postgres" already exists' &&
	fail "loading the roles into the fresh cluster: $out"
[[ "$(psql_dst -d postgres -Atc "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'fr\_%' OR rolname = 'flp_admin'")" == 9 ]] ||
	fail "the roles did not arrive in the fresh cluster"
"$FLP_PG_BIN/pg_restore" -h "$DST_HOST" -p "$DST_PORT" -j 4 -C --exit-on-error -d postgres "$DUMP" \
	>"$TMP/restore.log" 2>&1 || fail "pg_restore into the fresh cluster: $(cat "$TMP/restore.log")"
ok "roles (pg_dumpall --roles-only, flp_admin included) and database (pg_dump -Fc, pg_restore -j 4 -C) restored into the fresh cluster"

# the dropped columns really shift attribute numbers
# shellcheck disable=SC2016 # dollar quotes for SQL
attnums='SELECT string_agg(attrelid::regclass || $$.$$ || attname || $$=$$ || attnum, $$,$$ ORDER BY attrelid::regclass::text, attnum)
           FROM pg_attribute WHERE attrelid IN ($$company$$::regclass, $$cta$$::regclass, $$events_2024$$::regclass)
            AND attnum > 0 AND NOT attisdropped'
a_src="$(psql_src -d "$DB" -Atc "$attnums")" || fail "reading attribute numbers in the source"
a_dst="$(psql_dst -d "$DB" -Atc "$attnums")" || fail "reading attribute numbers in the fresh cluster"
[[ "$a_src" != "$a_dst" && "$a_src" == *"company.tax_id=7"* && "$a_dst" == *"company.tax_id=5"* ]] ||
	fail "attribute numbers should differ after the restore: $a_src / $a_dst"
ok "attribute numbers differ after the restore (company.tax_id 7 -> 5)"

# ---------------------------------------------------------- catalog state
ROLE_LIST="'fr_sales', 'fr_team', 'fr_vera', 'fr_emea', 'fr_acme_ann', 'fr_acme_bob', 'fr_admin', 'fr_nobody'"
# state HOST PORT [DB]: everything a DBA could compare, sorted
state() {
	"$FLP_PG_BIN/psql" -X -q -h "$1" -p "$2" -d "${3:-$DB}" -At -v ON_ERROR_STOP=1 <<SQL | LC_ALL=C sort
SELECT 'perm', r, e.tbl, e.field, e.permission
  FROM unnest(ARRAY[$ROLE_LIST]) r, flp.effective_permissions(r::regrole) e;
SELECT 'bundles', r, b.* FROM unnest(ARRAY[$ROLE_LIST]) r, flp.bundles(r::regrole) b;
SELECT 'explain', r, x.* FROM unnest(ARRAY[$ROLE_LIST]) r, flp.explain('company', 'tax_id', r::regrole) x;
SELECT 'explain-inh', x.* FROM flp.explain('cta', 'internal_notes', 'fr_sales') x;
SELECT 'record', r, k, x.* FROM unnest(ARRAY['fr_acme_ann', 'fr_acme_bob', 'fr_sales']) r,
       unnest(ARRAY['1', '2', '3']) k, flp.explain_record('company', k, r::regrole) x;
SELECT 'record-deal', r, x.* FROM unnest(ARRAY['fr_emea', 'fr_sales']) r,
       flp.explain_record('deals', '3', r::regrole) x;
SELECT 'preview', b.name, flp.preview(b.name) FROM flp.bundle b;
SELECT 'governed', tbl, default_permission FROM flp.governed_table;
SELECT 'guarded', relid, rls_before, force_before FROM flp.guarded_relation;
SELECT 'excluded', tbl, field FROM flp.excluded_field;
SELECT 'mask', tbl, field, mask FROM flp.field_mask;
SELECT 'inherited', i.* FROM flp.inherited_field i;
SELECT 'bundle', name, kind, license, description, system FROM flp.bundle;
SELECT 'tperm', bundle, tbl, permission FROM flp.table_permission;
SELECT 'fperm', bundle, tbl, field, permission FROM flp.field_permission;
SELECT 'assign', bundle, role FROM flp.assignment;
SELECT 'rule', bundle, criteria FROM flp.rule;
SELECT 'user', u.* FROM flp.registered_user u;
SELECT 'seats', s.* FROM flp.license_seats s;
SELECT 'partner', p.* FROM flp.partner p;
SELECT 'pbundle', p.* FROM flp.partner_bundle p;
SELECT 'area', a.* FROM flp.area_table a;
SELECT 'scope', s.* FROM flp.partner_scope s;
SELECT 'recassign', r.* FROM flp.record_assignment r;
SELECT 'link', l.* FROM flp.record_link l;
SELECT 'datarule', d.* FROM flp.data_rule d;
SELECT 'policy', tablename, policyname, permissive, roles, cmd, qual, with_check
  FROM pg_policies WHERE schemaname = 'public';
SELECT 'rls', relname, relrowsecurity, relforcerowsecurity FROM pg_class
 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p');
SELECT 'dbconfig', unnest(setconfig) FROM pg_db_role_setting
 WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database()) AND setrole = 0;
SELECT 'hash', flp.mask_hash('abc'), flp.mask_hash('${CANARY}_CONTACT_1');
SELECT 'nextval', nextval('flp.rule_id_seq'), nextval('flp.data_rule_id_seq');
SQL
}
state "$SRC_HOST" "$SRC_PORT" >"$TMP/state-src" || fail "reading the source catalog state"
state "$DST_HOST" "$DST_PORT" >"$TMP/state-dst" || fail "reading the restored catalog state"
if ! diff -u "$TMP/state-src" "$TMP/state-dst" >&2; then
	fail "the fresh cluster's catalog state differs from the source's"
fi
for want in "perm|fr_sales|company|tax_id|hide" "perm|fr_vera|company|name|hide" \
	"perm|fr_vera|company|arr|read" "perm|fr_sales|cta|internal_notes|hide" \
	"perm|fr_acme_ann|company|tax_id|hide" "policy|company|flp_scope" "policy|cta|flp_link" \
	"policy|deals|flp_data_select" "guarded|events_2024|f|f" "rls|events_2024|t|t" \
	"dbconfig|session_preload_libraries=flp" "recassign|company|2|Acme|fr_acme_ann"; do
	grep -qF "$want" "$TMP/state-src" || fail "the source state lacks '$want'"
done
ok "catalog state identical ($(wc -l <"$TMP/state-src") lines: effective permissions of 8 roles, explain, bundles, explain_record, preview, every catalog table, policies, RLS flags, session_preload_libraries, mask_hash)"

# ------------------------------------------------------ queries as each role
QUERIES=(
	"SELECT id, name, region, arr, tax_id, email, contact FROM company ORDER BY id"
	"SELECT * FROM company_report ORDER BY id"
	"SELECT c FROM company c ORDER BY c.id"
	"SELECT to_jsonb(t) FROM cta t ORDER BY t.id"
	"SELECT id, region, stage, amount, margin FROM deals ORDER BY id"
	"SELECT * FROM events ORDER BY id"
	"SELECT * FROM events_2024"
	"SELECT count(*) FROM company WHERE tax_id LIKE 'C%'"
	"SELECT id FROM company ORDER BY contact"
	"SELECT email, count(*) FROM company GROUP BY email"
	"SELECT c.id FROM company c JOIN cta t ON t.internal_notes = c.name"
	"SELECT count(*) FROM events WHERE payload IS NOT NULL"
	"SELECT count(*) FROM deals WHERE margin > ''"
	"UPDATE company SET arr = 0 WHERE id = 1"
	"UPDATE company SET name = name WHERE id = 2 RETURNING id, name, tax_id"
	"UPDATE deals SET amount = amount WHERE id = 3 RETURNING id, stage"
	"UPDATE deals SET stage = 'won' WHERE id = 3"
	"INSERT INTO cta (id, company_id, title, internal_notes) VALUES (99, 1, 'x', 'y')"
	"INSERT INTO company (id, name) VALUES (99, 'x')"
	"COPY company TO STDOUT"
	"EXPLAIN (COSTS OFF) SELECT tax_id, email, contact FROM company WHERE id = 1"
	"SELECT tbl, field, permission FROM flp.effective_permissions() ORDER BY tbl::text, field"
	"SELECT flp.is_partner_user(), flp.current_partner(), flp.is_subject(), flp.attribute('region')"
)
ASK_ROLES=(fr_sales fr_vera fr_emea fr_acme_ann fr_acme_bob fr_admin fr_nobody)

# answers HOST PORT FILE [DB]: every query for every role; each write in its own
# rolled-back transaction so both clusters stay identical
answers() {
	local role q
	for role in "${ASK_ROLES[@]}"; do
		for q in "${QUERIES[@]}"; do
			printf '=== %s: %s\n' "$role" "$q"
			"$FLP_PG_BIN/psql" -X -h "$1" -p "$2" -U "$role" -d "${4:-$DB}" -v VERBOSITY=verbose \
				-v SHOW_CONTEXT=never -c "BEGIN" -c "$q" -c "ROLLBACK" 2>&1 |
				grep -v '^BEGIN$\|^ROLLBACK$'
		done
	done >"$3"
}
answers "$SRC_HOST" "$SRC_PORT" "$TMP/ask-src"
answers "$DST_HOST" "$DST_PORT" "$TMP/ask-dst"
if ! diff -u "$TMP/ask-src" "$TMP/ask-dst" >&2; then
	fail "roles see different things in the fresh cluster"
fi
grep -q "FATAL\|could not connect" "$TMP/ask-dst" && fail "a session could not start: $(grep -m1 FATAL "$TMP/ask-dst")"
# no canary for subjects (the admin, a super admin, sees them: skip its lines)
if awk '/^=== /{admin = ($2 == "fr_admin:")} !admin && !/^=== /' "$TMP/ask-dst" | grep -n "$CANARY" >&2; then
	fail "a canary appears in a subject's answer"
fi
grep -q "$CANARY" "$TMP/ask-dst" || fail "the admin should see the canaries"
n="$(grep -c '^ERROR:  42501' "$TMP/ask-dst")"
[[ "$n" -ge 30 ]] || fail "expected at least 30 refusals with 42501, got $n"
ok "${#QUERIES[@]} queries x ${#ASK_ROLES[@]} roles answer identically in both clusters ($n refusals with 42501, no canary for subjects)"

# spot checks of what was compared, in the fresh cluster
rows() {
	psql_dst -U "$1" -d "$DB" -At -c "$2" 2>&1 || fail "query as $1 failed: $2"
}
out="$(rows fr_acme_ann "SELECT string_agg(id::text, ',' ORDER BY id) FROM company")"
[[ "$out" == "1,2" ]] || fail "fr_acme_ann should see companies 1,2, got: $out"
out="$(rows fr_acme_bob "SELECT string_agg(id::text, ',' ORDER BY id) FROM company")"
[[ "$out" == "1" ]] || fail "fr_acme_bob should see company 1, got: $out"
out="$(rows fr_acme_ann "SELECT string_agg(id::text, ',' ORDER BY id) FROM cta")"
[[ "$out" == "1,6,7,12" ]] || fail "fr_acme_ann should see the CTAs of companies 1,2, got: $out"
out="$(rows fr_emea "SELECT string_agg(id::text, ',' ORDER BY id) FROM deals")"
[[ "$out" == "1,2" ]] || fail "fr_emea should see the emea deals, got: $out"
out="$(rows fr_sales "SELECT name, region, tax_id, email FROM company WHERE id = 4")"
[[ "$out" == "Company 4|emea|****|o***@example.com" ]] || fail "unexpected masks for fr_sales: $out"
out="$(rows fr_vera "SELECT name, region, arr FROM company WHERE id = 4")"
[[ "$out" == "****|E…|4000" ]] || fail "unexpected masks for fr_vera: $out"
h_src="$(psql_src -U fr_sales -d "$DB" -Atc "SELECT contact FROM company WHERE id = 1")"
h_dst="$(rows fr_sales "SELECT contact FROM company WHERE id = 1")"
[[ "$h_src" =~ ^[0-9a-f]{64}$ && "$h_src" == "$h_dst" ]] || fail "mask_hash differs: $h_src / $h_dst"
k_src="$(psql_src -d "$DB" -Atc "SELECT secret FROM flp.mask_secret")"
k_dst="$(psql_dst -d "$DB" -Atc "SELECT secret FROM flp.mask_secret")"
[[ -n "$k_src" && "$k_src" == "$k_dst" ]] || fail "the mask_hash key was not restored"
[[ "$(psql_dst -d "$DB" -Atc "SELECT count(*) FROM flp.mask_secret")" == 1 ]] || fail "more than one mask key"
ok "fresh cluster: partner users see their rows only (ann 1,2 + linked CTAs; bob 1), data rules, custom/email masks, identical mask_hash and key"

# ------------------------- the plain SQL dump, into a second database there
psql_dst -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE ${DB}_plain" >/dev/null || fail "creating ${DB}_plain"
psql_dst -v ON_ERROR_STOP=1 -d "${DB}_plain" -f "$TMP/db.sql" >"$TMP/plain.log" 2>&1 ||
	fail "loading the plain dump into the fresh cluster: $(cat "$TMP/plain.log")"
state "$DST_HOST" "$DST_PORT" "${DB}_plain" >"$TMP/state-plain" || fail "reading the plain-restored state"
diff -u "$TMP/state-src" "$TMP/state-plain" >&2 || fail "the plain-restored catalog state differs from the source's"
answers "$DST_HOST" "$DST_PORT" "$TMP/ask-plain" "${DB}_plain"
diff -u "$TMP/ask-src" "$TMP/ask-plain" >&2 || fail "roles see different things after the plain-SQL restore"
ok "the plain-SQL dump (pg_dump -Fp | psql) restored into ${DB}_plain: the same catalog state and answers"

# ---------------------------------------- the restored rules keep working
psql_dst -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL' || fail "changing the restored rules"
SELECT flp.assign_record('Acme', 'company', '5', 'fr_acme_bob');
SELECT flp.set_permission('Sales', 'company', 'tax_id', 'read');
SQL
out="$(rows fr_acme_bob "SELECT string_agg(id::text, ',' ORDER BY id) FROM company")"
[[ "$out" == "1,5" ]] || fail "fr_acme_bob should see companies 1,5 after assign_record, got: $out"
out="$(rows fr_sales "SELECT tax_id FROM company WHERE id = 4")"
[[ "$out" == "${CANARY}_TAX_4" ]] || fail "fr_sales should read tax_id after set_permission, got: $out"
out="$(rows fr_sales "SELECT flp.effective('company', 'tax_id')")"
[[ "$out" == read ]] || fail "flp.effective after the change: $out"
ok "changes after the restore take effect in the fresh cluster"

echo "ok $NAME: $(wc -l <"$TMP/state-src") lines of catalog state and $(grep -c '^=== ' "$TMP/ask-src") role queries identical after restore into a fresh cluster ($CHECKS checks, $((SECONDS - START))s)"
