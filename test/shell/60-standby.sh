#!/usr/bin/env bash
# test/shell/60-standby.sh -- a hot standby enforces the same field-level
# permissions as its primary, and follows permission changes as it replays
# them.
#
# Starts its own throwaway primary (flp preloaded, wal_level = replica, WAL
# senders, trusted replication over its Unix socket) and a streaming replica
# made with `pg_basebackup -R` (own dir, socket and port, flp preloaded,
# hot_standby on); see test/standby/standby.sh.  On the primary: governed
# tables with canary values in hidden fields, bundles (one assigned to a group
# role), masks (default, mask_email, mask_hash), a subject, a partner user
# with partner scoping, record assignments and a record link, a data rule on
# a registered attribute.  It proves:
#   1. every query of a set (masked reads, views, whole-row references,
#      EXPLAIN, introspection, pg_stats, refused filters and writes with
#      SQLSTATE 42501) answers exactly the same on the standby as on the
#      primary, for the subject, the partner user and a role without bundles;
#      the partner user sees only its records; no canary appears anywhere on
#      the standby for them (while a superuser does see the canaries there, so
#      the data is really replicated);
#   2. permission changes made on the primary -- hide -> read, edit -> hide,
#      GRANT of a group role that holds a bundle, assign_record,
#      unassign_record, a new attribute value (data rule), then protect of a
#      table that was not governed and unassign of a bundle -- reach the
#      standby once replayed (pg_current_wal_lsn on the primary <=
#      pg_last_wal_replay_lsn on the standby), in new sessions and in
#      sessions that stayed open across the change (their caches are dropped
#      by the replayed relcache/syscache invalidations), also in a generic
#      plan prepared before the change and at the next statement of a
#      REPEATABLE READ transaction open across it; and the standby then
#      again answers every query like the primary.
# Needs nothing from the main test cluster but FLP_ROOT / FLP_PG_BIN; stops
# and removes both clusters it starts. Exit 0 = pass, 1 = fail.
set -uo pipefail
# the set-up's notices (flp.protect's advice) are not this test's output
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
export FLP_PG_BIN
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"
# shellcheck source=test/standby/standby.sh
source "$FLP_ROOT/test/standby/standby.sh"

NAME=60-standby
DB=flp_standby
export FLP_STANDBY_DB="$DB"
CANARY=CNRY_STBY
START=$SECONDS
PRIMARY_DIR=""
TMP="$(mktemp -d /tmp/flp-standby-test.XXXXXX)"
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
	local pids
	pids="$(jobs -p)"
	# shellcheck disable=SC2086 # one pid per word
	[[ -z "$pids" ]] || kill $pids 2>/dev/null
	flp_standby_stop "${FLP_STANDBY_DIR:-}"
	[[ -z "$PRIMARY_DIR" ]] || flp_cluster_stop "$PRIMARY_DIR"
	if [[ -n "${FLP_KEEP_CLUSTER:-}" ]]; then
		echo "FLP_KEEP_CLUSTER set: keeping $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------------ clusters
flp_cluster_start "" flp || fail "cannot start the primary"
PRIMARY_DIR="$FLP_CLUSTER_DIR"
P_HOST="$PGHOST" P_PORT="$PGPORT"
flp_standby_prepare_primary "$PRIMARY_DIR" || fail "cannot configure the primary for replication"
[[ "$("$FLP_PG_BIN/psql" -X -Atc 'SHOW wal_level')" == replica ]] || fail "wal_level is not replica"

psql_p() { "$FLP_PG_BIN/psql" -X -q -h "$P_HOST" -p "$P_PORT" "$@"; }

psql_p -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "creating the roles and database"
CREATE DATABASE $DB;
CREATE ROLE sb_team NOLOGIN;
CREATE ROLE sb_sales LOGIN IN ROLE sb_team;
CREATE ROLE sb_late LOGIN;
CREATE ROLE sb_acme_ann LOGIN;
SQL

psql_p -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || fail "loading the rules on the primary"
CREATE EXTENSION flp;
CREATE TABLE company (id int PRIMARY KEY, name text, region text, arr numeric,
                      tax_id text, email text, contact text, notes text);
INSERT INTO company
SELECT i, 'Company ' || i, CASE WHEN i % 2 = 0 THEN 'emea' ELSE 'na' END, i * 1000,
       '${CANARY}_TAX_' || i, 'owner' || i || '@example.com', '${CANARY}_CONTACT_' || i,
       'note ' || i
  FROM generate_series(1, 6) i;
CREATE TABLE cta (id int PRIMARY KEY, company_id int REFERENCES company, title text,
                  internal_notes text);
INSERT INTO cta SELECT i, (i % 6) + 1, 'CTA ' || i, '${CANARY}_NOTES_' || i
  FROM generate_series(1, 12) i;
CREATE TABLE deals (id int PRIMARY KEY, region text, amount numeric);
INSERT INTO deals VALUES (1, 'emea', 100), (2, 'na', 200), (3, 'emea', 300), (4, 'na', 400);
CREATE TABLE plain (id int, label text, secret text);    -- governed later
INSERT INTO plain VALUES (1, 'one', 'not yet hidden');
CREATE VIEW company_report AS                         -- owned by a superuser
  SELECT c.id, c.name, c.region, c.tax_id, count(t.id) AS ctas
    FROM company c LEFT JOIN cta t ON t.company_id = c.id
   GROUP BY c.id;
GRANT SELECT, INSERT, UPDATE, DELETE ON company, cta, deals TO sb_team, sb_late, sb_acme_ann;
GRANT SELECT ON plain TO sb_team, sb_late, sb_acme_ann;
GRANT SELECT ON company_report TO sb_team, sb_late, sb_acme_ann;
ANALYZE company, cta;

SELECT flp.protect('company');
SELECT flp.protect('cta');
SELECT flp.protect('deals', 'edit');
SELECT flp.exclude_field('company', 'id');
SELECT flp.exclude_field('cta', 'id');
SELECT flp.set_mask('company', 'email', 'flp.mask_email(text)');
SELECT flp.set_mask('company', 'contact', 'flp.mask_hash(text)');

SELECT flp.create_bundle('Sales');
SELECT flp.set_permission('Sales', 'company', NULL, 'edit');
SELECT flp.set_permission('Sales', 'company', 'tax_id', 'hide');
SELECT flp.set_permission('Sales', 'company', 'email', 'hide');
SELECT flp.set_permission('Sales', 'company', 'contact', 'hide');
SELECT flp.set_permission('Sales', 'company', 'notes', 'hide');
SELECT flp.set_permission('Sales', 'company', 'arr', 'read');
SELECT flp.set_permission('Sales', 'cta', NULL, 'edit');
SELECT flp.set_permission('Sales', 'cta', 'internal_notes', 'hide');
SELECT flp.assign('Sales', 'sb_team');
SELECT flp.register_user('sb_sales', 'full', '{"region": "emea"}');
SELECT flp.add_data_rule('deals', 'region = flp.attribute(''region'')');

SELECT flp.add_partner('Acme', '1');
SELECT flp.register_user('sb_acme_ann', 'full', '{}', 'Acme');
SELECT flp.define_area('company_relationship', '{company}');
SELECT flp.define_area('cockpit', '{cta}');
SELECT flp.create_bundle('Acme partners', kind => 'partner');
SELECT flp.set_permission('Acme partners', 'company', NULL, 'edit');
SELECT flp.set_permission('Acme partners', 'company', 'tax_id', 'hide');
SELECT flp.set_permission('Acme partners', 'company', 'contact', 'hide');
SELECT flp.set_permission('Acme partners', 'company', 'arr', 'read');
SELECT flp.set_permission('Acme partners', 'cta', NULL, 'read');
SELECT flp.set_permission('Acme partners', 'cta', 'internal_notes', 'hide');
SELECT flp.assign_partner_bundle('Acme', 'Acme partners');
SELECT flp.partner_scope('company', 'id');
SELECT flp.link_records('cta', 'company_id', 'company');
SELECT flp.assign_record('Acme', 'company', '1');
SELECT flp.assign_record('Acme', 'company', '2', 'sb_acme_ann');
SQL
ok "primary: governed tables, bundles, masks, subject, partner user, scope and records"

flp_standby_start "$PRIMARY_DIR" || fail "cannot start the standby"
S_HOST="$FLP_STANDBY_HOST" S_PORT="$FLP_STANDBY_PORT"
flp_standby_wait_replay "$PRIMARY_DIR" "$FLP_STANDBY_DIR" || fail "the standby does not replay"
psql_s() { "$FLP_PG_BIN/psql" -X -q -h "$S_HOST" -p "$S_PORT" "$@"; }
[[ "$(psql_s -d "$DB" -Atc 'SELECT pg_is_in_recovery()')" == t ]] || fail "the standby is not in recovery"
[[ "$(psql_s -d "$DB" -Atc 'SHOW shared_preload_libraries')" == flp ]] || fail "flp is not preloaded on the standby"
ok "standby streaming from the primary (port $S_PORT), in recovery, flp preloaded"

# ----------------------------------------------------------------- queries
# The queries every role runs on both servers; one psql per query, so each
# answer (rows, or the error with its SQLSTATE) is compared on its own.
QUERIES=(
	"SELECT id, name, region, arr, tax_id, email, contact, notes FROM company ORDER BY id"
	"SELECT * FROM company_report ORDER BY id"
	"SELECT c FROM company c ORDER BY c.id"
	"SELECT row_to_json(t) FROM cta t ORDER BY t.id"
	"SELECT c.name, t.title, t.internal_notes FROM company c JOIN cta t ON t.company_id = c.id ORDER BY t.id"
	"SELECT region, count(*), sum(arr) FROM company GROUP BY region ORDER BY region"
	"SELECT id, name FROM company WHERE region = 'emea' ORDER BY id"
	"SELECT count(*) FROM company WHERE tax_id LIKE 'C%'"
	"SELECT id FROM company ORDER BY notes"
	"SELECT notes, count(*) FROM company GROUP BY notes"
	"SELECT * FROM cta t JOIN company c ON t.internal_notes = c.name"
	"SELECT id FROM company c WHERE EXISTS (SELECT 1 FROM cta t WHERE t.company_id = c.id AND t.internal_notes > '')"
	"SELECT DISTINCT ON (contact) id FROM company"
	"UPDATE company SET arr = 0 WHERE id = 1"
	"UPDATE company SET name = tax_id WHERE id = 1"
	"DELETE FROM company WHERE tax_id IS NOT NULL"
	"INSERT INTO cta (id, company_id, title, internal_notes) VALUES (99, 1, 'x', 'y')"
	"COPY company TO STDOUT"
	"COPY (SELECT tax_id, email, contact FROM company ORDER BY id) TO STDOUT"
	"EXPLAIN (COSTS OFF) SELECT tax_id, email, contact, notes FROM company WHERE id = 1"
	"SELECT tbl, field, permission FROM flp.effective_permissions() ORDER BY tbl::text, field"
	"SELECT * FROM flp.explain('company', 'notes')"
	"SELECT * FROM flp.bundles() ORDER BY 1"
	"SELECT attname, count(*) FROM pg_stats WHERE tablename IN ('company', 'cta') GROUP BY 1 ORDER BY 1"
	"SELECT flp.is_partner_user(), flp.current_partner(), flp.is_subject(), flp.attribute('region')"
	"SELECT * FROM deals ORDER BY id"
)
ROLES=(sb_sales sb_acme_ann sb_late)

# ask HOST PORT ROLE QUERY: the answer of one query, errors included
ask() {
	local out rc
	out="$("$FLP_PG_BIN/psql" -X -h "$1" -p "$2" -U "$3" -d "$DB" -v VERBOSITY=verbose \
		-v SHOW_CONTEXT=never -c "$4" 2>&1)"
	rc=$?
	printf '%s\n[exit %s]\n' "$out" "$rc"
}

# answers HOST PORT FILE: every query for every role into FILE
answers() {
	local role q
	: >"$3"
	for role in "${ROLES[@]}"; do
		for q in "${QUERIES[@]}"; do
			printf '=== %s: %s\n' "$role" "$q"
			ask "$1" "$2" "$role" "$q"
		done
	done >>"$3"
}

# compare LABEL: the same answers on both servers, sensible, no canary
compare() {
	local label="$1" p="$TMP/primary-$1.out" s="$TMP/standby-$1.out" n
	answers "$P_HOST" "$P_PORT" "$p"
	answers "$S_HOST" "$S_PORT" "$s"
	if ! diff -u "$p" "$s" >"$TMP/diff-$label"; then
		cat "$TMP/diff-$label" >&2
		fail "$label: the standby answers differently from the primary"
	fi
	if grep -n "$CANARY" "$s" >&2; then
		fail "$label: a canary appears on the standby"
	fi
	grep -q "could not connect\|FATAL" "$s" && fail "$label: a session could not start: $(grep -m1 FATAL "$s")"
	n="$(grep -c '^ERROR:  42501' "$s")"
	[[ "$n" -ge 20 ]] || fail "$label: expected at least 20 refusals with 42501, got $n"
	ok "$label: ${#QUERIES[@]} queries x ${#ROLES[@]} roles answer identically on primary and standby ($n refusals with 42501, no canary)"
}

# rows ROLE QUERY (on the standby, one value per line, errors fail)
standby_rows() {
	psql_s -U "$1" -d "$DB" -At -c "$2" 2>&1 || fail "standby query failed for $1: $2"
}

compare before

# a superuser on the standby sees the real values: the data is there
[[ "$(psql_s -d "$DB" -Atc "SELECT tax_id FROM company WHERE id = 1")" == "${CANARY}_TAX_1" ]] ||
	fail "the superuser does not see the real value on the standby"
ok "a superuser on the standby sees the canaries (the data is replicated)"

# spot checks of what the comparison compared
out="$(standby_rows sb_sales "SELECT name, tax_id, email, notes FROM company WHERE id = 2")"
[[ "$out" == "Company 2|****|o***@example.com|****" ]] || fail "unexpected masks for sb_sales: $out"
out="$(standby_rows sb_sales "SELECT contact FROM company WHERE id = 2")"
[[ "$out" =~ ^[0-9a-f]{64}$ ]] || fail "mask_hash expected for contact, got: $out"
hash2="$out"
out="$(standby_rows sb_acme_ann "SELECT string_agg(id::text, ',' ORDER BY id) FROM company")"
[[ "$out" == "1,2" ]] || fail "the partner user should see companies 1,2 on the standby, got: $out"
out="$(standby_rows sb_acme_ann "SELECT string_agg(id::text, ',' ORDER BY id) FROM cta")"
[[ "$out" == "1,6,7,12" ]] || fail "the partner user should see the CTAs of companies 1,2, got: $out"
out="$(standby_rows sb_late "SELECT name, region FROM company WHERE id = 1")"
[[ "$out" == "****|****" ]] || fail "a role without bundles should get the table default (hide), got: $out"
out="$(ask "$S_HOST" "$S_PORT" sb_sales "SELECT id FROM company WHERE tax_id = 'x'")"
[[ "$out" == *"ERROR:  42501: permission denied for field \"tax_id\" of table \"company\""* ]] ||
	fail "expected a 42501 refusal on the standby, got: $out"
ok "standby: masks (****, mask_email, mask_hash), partner sees only companies 1,2 and their CTAs, 42501 refusals"

# -------------------------------------------------- changes on the primary
cat >"$TMP/change.sql" <<'SQL'
SELECT flp.set_permission('Sales', 'company', 'notes', 'read');     -- hide -> read
SELECT flp.set_permission('Sales', 'company', 'region', 'hide');    -- edit -> hide
SELECT flp.assign_record('Acme', 'company', '3');
SELECT flp.unassign_record('Acme', 'company', '2', 'sb_acme_ann');
SELECT flp.register_user('sb_sales', 'full', '{"region": "na"}');   -- data rule
GRANT sb_team TO sb_late;
SQL
chmod 0644 "$TMP/change.sql"

# Sessions that stay open across the change: each runs its query, then (by
# psql's \!) the change is applied on the primary and replayed on the
# standby, then the same query again in the same session.
{
	# a generic plan prepared before the change, and a REPEATABLE READ
	# transaction open across it: both follow the change at the next statement
	echo "SET plan_cache_mode = force_generic_plan;"
	echo "PREPARE q AS SELECT 'prep|' || name || '|' || region || '|' || notes FROM company WHERE id = 1;"
	echo "PREPARE d AS SELECT 'deals|' || string_agg(id::text, ',' ORDER BY id) FROM deals;"
	echo "EXECUTE q;"
	echo "EXECUTE d;"
	echo "BEGIN ISOLATION LEVEL REPEATABLE READ;"
	echo "SELECT 'rr|' || name || '|' || region || '|' || notes FROM company WHERE id = 1;"
	echo "\\! bash '$FLP_ROOT/test/standby/standby.sh' apply-and-wait '$PRIMARY_DIR' '$FLP_STANDBY_DIR' '$TMP/change.sql'"
	echo "SELECT 'rr|' || name || '|' || region || '|' || notes FROM company WHERE id = 1;"
	echo "COMMIT;"
	echo "EXECUTE q;"
	echo "EXECUTE d;"
	echo "SELECT count(*) FROM company WHERE region = 'emea';"
	echo "SELECT count(*) FROM company WHERE notes = 'note 1';"
} >"$TMP/sales.sql"
# the partner user's and the late role's sessions start first and wait for
# the marker file that tells them the change has been replayed
for who in acme late; do
	{
		case $who in
		acme) echo "SELECT 'acme|' || string_agg(id::text, ',' ORDER BY id) FROM company;" ;;
		late) echo "SELECT 'late|' || name || '|' || notes FROM company WHERE id = 1;" ;;
		esac
		echo "\\! bash -c 'touch $TMP/$who.ready; for i in \$(seq 1200); do [ -e $TMP/replayed ] && exit 0; sleep 0.1; done; echo TIMEOUT'"
		case $who in
		acme)
			echo "SELECT 'acme|' || string_agg(id::text, ',' ORDER BY id) FROM company;"
			echo "SELECT 'acme-cta|' || string_agg(id::text, ',' ORDER BY id) FROM cta;"
			;;
		late) echo "SELECT 'late|' || name || '|' || notes FROM company WHERE id = 1;" ;;
		esac
	} >"$TMP/$who.sql"
done
psql_s -U sb_acme_ann -d "$DB" -At -v VERBOSITY=verbose -f "$TMP/acme.sql" >"$TMP/acme.out" 2>&1 &
acme_pid=$!
psql_s -U sb_late -d "$DB" -At -v VERBOSITY=verbose -f "$TMP/late.sql" >"$TMP/late.out" 2>&1 &
late_pid=$!
for ((i = 0; i < 600; i++)); do
	[[ -e "$TMP/acme.ready" && -e "$TMP/late.ready" ]] && break
	sleep 0.1
done
[[ -e "$TMP/acme.ready" && -e "$TMP/late.ready" ]] || fail "the open sessions did not start: $(cat "$TMP"/acme.out "$TMP"/late.out)"
psql_s -U sb_sales -d "$DB" -At -v VERBOSITY=verbose -f "$TMP/sales.sql" >"$TMP/sales.out" 2>&1 ||
	fail "the sales session failed: $(cat "$TMP/sales.out")"
touch "$TMP/replayed"
wait "$acme_pid" || fail "the partner session failed: $(cat "$TMP/acme.out")"
wait "$late_pid" || fail "the late session failed: $(cat "$TMP/late.out")"
grep -q "APPLY FAILED\|TIMEOUT" "$TMP"/sales.out "$TMP"/acme.out "$TMP"/late.out &&
	fail "applying the change failed: $(cat "$TMP"/sales.out)"

expect_session() {
	local who="$1" want="$2" got
	got="$(grep -v '^LOCATION:' "$TMP/$who.out" | sed 's/^psql:[^ ]*: //')"
	if [[ "$got" != "$want" ]]; then
		echo "--- expected ($who):" >&2
		echo "$want" >&2
		echo "--- got:" >&2
		echo "$got" >&2
		fail "the open $who session on the standby did not follow the change"
	fi
}
expect_session sales "prep|Company 1|na|****
deals|1,3
rr|Company 1|na|****
rr|Company 1|****|note 1
prep|Company 1|****|note 1
deals|2,4
ERROR:  42501: permission denied for field \"region\" of table \"company\"
DETAIL:  The field is hidden for role \"sb_sales\" and cannot be used in WHERE.
HINT:  Remove the field from the query, or ask a super admin to grant Read access.
SCHEMA NAME:  public
TABLE NAME:  company
COLUMN NAME:  region
1"
expect_session acme "acme|1,2
acme|1,3
acme-cta|2,6,8,12"
expect_session late "late|****|****
late|Company 1|note 1"
ok "open standby sessions follow the replayed change at their next statement (also a prepared generic plan and a REPEATABLE READ transaction): hide->read, edit->hide (now refused in WHERE), new attribute (data rule), GRANT of a bundle's group role, assign_record / unassign_record"

out="$(standby_rows sb_acme_ann "SELECT string_agg(id::text, ',' ORDER BY id) FROM company")"
[[ "$out" == "1,3" ]] || fail "a new partner session should see companies 1,3 after the change, got: $out"
out="$(standby_rows sb_sales "SELECT contact FROM company WHERE id = 2")"
[[ "$out" == "$hash2" ]] || fail "mask_hash changed on the standby: $out vs $hash2"
ok "new standby sessions see the change too"

# a second change, in one open session: a table becomes governed, a bundle
# is unassigned from the group role
cat >"$TMP/change2.sql" <<'SQL'
SELECT flp.protect('plain');
SELECT flp.exclude_field('plain', 'id');
SELECT flp.create_bundle('Plain');
SELECT flp.set_permission('Plain', 'plain', NULL, 'read');
SELECT flp.set_permission('Plain', 'plain', 'secret', 'hide');
SELECT flp.assign('Plain', 'sb_sales');
SELECT flp.unassign('Sales', 'sb_team');
SQL
chmod 0644 "$TMP/change2.sql"
cat >"$TMP/sales2.sql" <<SQL
SELECT 'plain|' || label || '|' || secret FROM plain;
SELECT 'company|' || name || '|' || notes FROM company WHERE id = 1;
\\! bash '$FLP_ROOT/test/standby/standby.sh' apply-and-wait '$PRIMARY_DIR' '$FLP_STANDBY_DIR' '$TMP/change2.sql'
SELECT 'plain|' || label || '|' || secret FROM plain;
SELECT 'company|' || name || '|' || notes FROM company WHERE id = 1;
SELECT count(*) FROM plain WHERE secret > '';
SQL
psql_s -U sb_sales -d "$DB" -At -v VERBOSITY=verbose -f "$TMP/sales2.sql" >"$TMP/sales2.out" 2>&1 ||
	fail "the second sales session failed: $(cat "$TMP/sales2.out")"
grep -q "APPLY FAILED" "$TMP/sales2.out" && fail "applying the second change failed: $(cat "$TMP/sales2.out")"
expect_session sales2 "plain|one|not yet hidden
company|Company 1|note 1
plain|one|****
company|****|****
ERROR:  42501: permission denied for field \"secret\" of table \"plain\"
DETAIL:  The field is hidden for role \"sb_sales\" and cannot be used in WHERE.
HINT:  Remove the field from the query, or ask a super admin to grant Read access.
SCHEMA NAME:  public
TABLE NAME:  plain
COLUMN NAME:  secret"
ok "an open standby session follows a table becoming governed (protect) and an unassigned bundle"

compare after

echo "ok $NAME: standby answers like the primary before and after replayed permission changes ($CHECKS checks, $((SECONDS - START))s)"
