#!/usr/bin/env bash
# test/shell/20-dump-restore.sh -- pg_dump keeps flp's rules: a database with
# governed tables (one with a dropped column, so attribute numbers change on
# restore), bundles, field settings, assignments, rules, registrations,
# inheritance, masks, seats and a published report view (still in force) is dumped and restored into a new database,
# and every role gets exactly the same permissions there; the audit trail is
# restored as it was, without rows for the restore itself.
# Uses the main test cluster (PGHOST/PGPORT). Exit 0 = pass, 1 = fail.
set -euo pipefail
# the set-up's notices (flp.protect's advice) are not this test's output
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

PSQL=("$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -q)
SRC=flp_dump_src
DST=flp_dump_dst
DUMP="$(mktemp /tmp/flp-dump.XXXXXX)"

fail() {
	echo "FAIL 20-dump-restore: $*" >&2
	exit 1
}

cleanup() {
	rm -f "$DUMP"
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $DST" \
		-c "DROP ROLE IF EXISTS regress_dump_team, regress_dump_anna, regress_dump_vera" \
		>/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

"${PSQL[@]}" -d postgres -c "CREATE DATABASE $SRC" -c "CREATE DATABASE $DST" \
	-c "CREATE ROLE regress_dump_team" \
	-c "CREATE ROLE regress_dump_anna IN ROLE regress_dump_team" \
	-c "CREATE ROLE regress_dump_vera" || fail "setup"

"${PSQL[@]}" -d "$SRC" >/dev/null <<'SQL' || fail "loading the rules"
CREATE EXTENSION flp;
CREATE TABLE accounts (id int PRIMARY KEY, gone text, name text, ssn text, email text, arr numeric);
ALTER TABLE accounts DROP COLUMN gone;       -- attribute numbers shift on restore
CREATE TABLE notes (id int, body text, arr numeric);
CREATE FUNCTION mask_text(text) RETURNS text IMMUTABLE LANGUAGE sql RETURN 'x';
SELECT flp.protect('accounts');
SELECT flp.protect('notes', 'read');
SELECT flp.exclude_field('accounts', 'id');
SELECT flp.set_mask('accounts', 'email', 'mask_text(text)');
SELECT flp.create_bundle('Team', description => 'the team');
SELECT flp.set_permission('Team', 'accounts', NULL, 'edit');
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Team', 'accounts', 'email', 'read');
SELECT flp.assign('Team', 'regress_dump_team');
SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'accounts', NULL, 'read');
SELECT flp.set_permission('Viewers', 'accounts', 'name', 'hide');
SELECT flp.add_rule('Viewers', '{"region": "emea"}');
SELECT flp.register_user('regress_dump_vera', 'viewer', '{"region": "emea"}');
SELECT flp.set_seats('viewer', 3);
SELECT flp.inherit_field('notes', 'arr', 'accounts', 'ssn');
SELECT flp.add_partner('Acme', 'c-1');
CREATE VIEW ssn_count AS SELECT count(ssn) AS with_ssn FROM accounts;
SELECT flp.publish_view('ssn_count', 'kept by a dump');
SQL

"$FLP_PG_BIN/pg_dump" -Fc -d "$SRC" -f "$DUMP" || fail "pg_dump"
"$FLP_PG_BIN/pg_restore" --exit-on-error -d "$DST" "$DUMP" || fail "pg_restore"

# Everything a DBA could compare: effective permissions of every role, the
# explanation of one field, the catalog rows (but for OIDs) and the audit trail.
state() {
	"${PSQL[@]}" -At -d "$1" <<'SQL'
SELECT r, e.tbl, e.field, e.permission
  FROM unnest(ARRAY['regress_dump_anna', 'regress_dump_vera', 'regress_dump_team']) r,
       flp.effective_permissions(r::regrole) e
 ORDER BY 1, 2::text, 3;
SELECT step, source, detail, permission FROM flp.explain('accounts', 'ssn', 'regress_dump_anna');
SELECT tbl, field, mask FROM flp.field_mask;
SELECT name, kind, license, description, system FROM flp.bundle ORDER BY name;
SELECT bundle, criteria FROM flp.rule;
SELECT license, seats FROM flp.license_seats;
SELECT name, company_key FROM flp.partner;
SELECT view, reason, in_force, state FROM flp.published_views;
SELECT nextval('flp.rule_id_seq');
SELECT 'audit', session_role, role, tbl, operation, old_row, new_row, statement, at, seq
  FROM flp.audit_log ORDER BY at, seq;
SQL
}

src_state="$(state "$SRC")" || fail "reading the source database"
dst_state="$(state "$DST")" || fail "reading the restored database"
if [[ "$src_state" != "$dst_state" ]]; then
	diff <(echo "$src_state") <(echo "$dst_state") >&2 || true
	fail "the restored database answers differently"
fi
# the comparison must be about something
[[ "$src_state" == *"regress_dump_anna|accounts|ssn|hide"* ]] || fail "unexpected source state: $src_state"
[[ "$src_state" == *"regress_dump_vera|accounts|name|hide"* ]] || fail "unexpected source state: $src_state"
# the published view is still the one published: its definition reads the same
[[ "$dst_state" == *"ssn_count|kept by a dump|t|published"* ]] || fail "the published view lapsed in the restore: $dst_state"
# the audit trail came along, and the restore added nothing to it
[[ $(grep -c '^audit|' <<<"$src_state") -gt 10 ]] || fail "the source's audit trail is short: $src_state"
echo "ok 20-dump-restore: $(wc -l <<<"$src_state") lines of permissions and catalog identical after pg_dump/pg_restore"
