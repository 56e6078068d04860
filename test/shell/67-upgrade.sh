#!/usr/bin/env bash
# test/shell/67-upgrade.sh -- ALTER EXTENSION flp UPDATE from every earlier
# version gives what a fresh install gives.
#
# For each earlier version V (an install script in sql/history/): a database
# installs flp V, loads a configuration with V's management functions
# (test/upgrade/setup.sql: governed tables, an excluded field, masks, an
# inherited field, bundles with table and field settings, assignments to a
# group role, a criteria rule, registered users, seats, a partner with its
# area, scope, record assignments and a record link, data rules), and is
# upgraded with ALTER EXTENSION flp UPDATE; a second database installs the
# current version and loads the same configuration. Then
#   - test/upgrade/schema.sql lists the same extension in both: every member
#     object, function definition, column, constraint, index, trigger,
#     policy, comment, privilege and pg_dump setting;
#   - the catalog rows and the policies on the governed tables are the same;
#   - every role gets the same answers: flp.effective_permissions,
#     flp.bundles, flp.explain_record, and the same queries run as each role
#     (masked reads, a partner user's rows, data-rule rows, a refused filter).
# Uses the main test cluster (PGHOST/PGPORT). Exit 0 = pass, 1 = fail.
set -uo pipefail

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
PSQL=("$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -q)
OLD=flp_upgrade_old
NEW=flp_upgrade_new
ROLES="up_team, up_anna, up_vera, up_pete"
TMP="$(mktemp -d /tmp/flp-upgrade.XXXXXX)"
CHECKS=0

fail() {
	echo "FAIL 67-upgrade: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "  ok: $*"
}

cleanup() {
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $OLD" -c "DROP DATABASE IF EXISTS $NEW" \
		-c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
[[ -z "${FLP_UPGRADE_KEEP:-}" ]] || trap - EXIT

# compare WHAT FILE1 FILE2: fail with the diff when they differ
compare() {
	if ! diff -u "$2" "$3" >"$TMP/diff"; then
		head -n 60 "$TMP/diff" >&2
		fail "$1 differ between the upgraded database and a fresh install (above: - upgraded, + fresh)"
	fi
}

# Rows of the catalog (no OIDs: regclass and regrole print as names) and
# flp's policies on the governed tables.
catalog_rows() {
	"${PSQL[@]}" -At -d "$1" <<'SQL' | LC_ALL=C sort
SELECT 'governed ' || tbl || ' ' || default_permission FROM flp.governed_table;
SELECT 'guarded ' || relid || ' ' || rls_before || ' ' || force_before FROM flp.guarded_relation;
SELECT 'excluded ' || tbl || '.' || field FROM flp.excluded_field;
SELECT 'mask ' || tbl || '.' || field || ' ' || mask FROM flp.field_mask;
SELECT 'inherited ' || tbl || '.' || field || ' ' || from_tbl || '.' || from_field FROM flp.inherited_field;
SELECT 'partner ' || name || ' ' || coalesce(company_key, '-') FROM flp.partner;
SELECT 'bundle ' || name || ' ' || kind || ' ' || license || ' ' || coalesce(description, '-') || ' ' || system FROM flp.bundle;
SELECT 'table permission ' || bundle || ' ' || tbl || ' ' || permission FROM flp.table_permission;
SELECT 'field permission ' || bundle || ' ' || tbl || '.' || field || ' ' || permission FROM flp.field_permission;
SELECT 'assignment ' || bundle || ' ' || role FROM flp.assignment;
SELECT 'rule ' || id || ' ' || bundle || ' ' || criteria FROM flp.rule;
SELECT 'user ' || role || ' ' || license || ' ' || attributes || ' ' || coalesce(partner, '-') FROM flp.registered_user;
SELECT 'seats ' || license || ' ' || seats FROM flp.license_seats;
SELECT 'partner bundle ' || partner || ' ' || bundle FROM flp.partner_bundle;
SELECT 'area ' || t::text FROM flp.area_table t;
SELECT 'scope ' || t::text FROM flp.partner_scope t;
SELECT 'record ' || t::text FROM flp.record_assignment t;
SELECT 'link ' || t::text FROM flp.record_link t;
SELECT 'data rule ' || t::text FROM flp.data_rule t;
SELECT 'admin role ' || role FROM flp.admin_role;
SELECT 'sequence ' || s FROM (SELECT nextval('flp.rule_id_seq') s) x;
SELECT format('policy %s %s %s %s using %s check %s', p.polrelid::regclass, p.polname, p.polcmd,
			  p.polpermissive, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p WHERE p.polrelid IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace);
SQL
}

# What each role is told and sees.
answers() {
	local role
	"${PSQL[@]}" -At -d "$1" <<'SQL' || return 1
SELECT r, e.tbl, e.field, e.permission
  FROM unnest(ARRAY['up_team', 'up_anna', 'up_vera', 'up_pete']) r,
       flp.effective_permissions(r::regrole) e
 ORDER BY 1, 2::text, 3;
SELECT r, b.bundle, b.source
  FROM unnest(ARRAY['up_team', 'up_anna', 'up_vera', 'up_pete']) r, flp.bundles(r::regrole) b
 ORDER BY 1, 2, 3;
SELECT step, source, detail, visible FROM flp.explain_record('accounts', '2', 'up_pete');
SELECT step, source, detail, permission FROM flp.explain('accounts', 'ssn', 'up_anna');
SQL
	for role in up_anna up_vera up_pete; do
		echo "-- as $role"
		"$FLP_PG_BIN/psql" -X -At -d "$1" -U "$role" -v VERBOSITY=terse 2>&1 <<'SQL'
SELECT * FROM accounts ORDER BY id;
SELECT * FROM contacts ORDER BY id;
SELECT * FROM notes ORDER BY id;
SELECT id FROM accounts WHERE ssn = '111-11-1111';
UPDATE accounts SET name = name WHERE id = 1;
SQL
	done
}

"${PSQL[@]}" -d postgres -c "CREATE ROLE up_team" -c "CREATE ROLE up_anna LOGIN IN ROLE up_team" \
	-c "CREATE ROLE up_vera LOGIN" -c "CREATE ROLE up_pete LOGIN" >/dev/null ||
	fail "creating the roles"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $NEW" >/dev/null || fail "creating $NEW"
"${PSQL[@]}" -d "$NEW" -c "CREATE EXTENSION flp" -f "$FLP_ROOT/test/upgrade/setup.sql" >/dev/null ||
	fail "loading the configuration into a fresh install"
current="$("${PSQL[@]}" -At -d "$NEW" -c "SELECT extversion FROM pg_extension WHERE extname = 'flp'")"
"${PSQL[@]}" -At -d "$NEW" -f "$FLP_ROOT/test/upgrade/schema.sql" >"$TMP/schema-new" ||
	fail "listing the fresh install"
catalog_rows "$NEW" >"$TMP/rows-new" || fail "reading the fresh install's catalog"
answers "$NEW" >"$TMP/answers-new" || fail "asking the fresh install"
[[ $(grep -c . "$TMP/schema-new") -gt 500 ]] || fail "the listing of the fresh install is too short"
grep -q '^-- as up_pete$' "$TMP/answers-new" && grep -q '\*\*\*\*' "$TMP/answers-new" ||
	fail "the fresh install's answers show no masked value"

versions=0
for script in "$FLP_ROOT"/sql/history/flp--*.sql; do
	[[ -e "$script" ]] || continue
	from="${script##*/flp--}"
	from="${from%.sql}"
	[[ "$from" != "$current" ]] || continue
	versions=$((versions + 1))
	"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $OLD" \
		-c "CREATE DATABASE $OLD" >/dev/null ||
		fail "creating $OLD"
	"${PSQL[@]}" -d "$OLD" -c "CREATE EXTENSION flp VERSION '$from'" \
		-f "$FLP_ROOT/test/upgrade/setup.sql" >/dev/null ||
		fail "loading the configuration into flp $from"
	"${PSQL[@]}" -d "$OLD" -c "ALTER EXTENSION flp UPDATE" >"$TMP/update.log" 2>&1 ||
		{ cat "$TMP/update.log" >&2; fail "ALTER EXTENSION flp UPDATE from $from"; }
	"${PSQL[@]}" -At -d "$OLD" -f "$FLP_ROOT/test/upgrade/schema.sql" >"$TMP/schema-old" ||
		fail "listing the upgraded database"
	compare "the extension's objects (test/upgrade/schema.sql) after $from -> $current" \
		"$TMP/schema-old" "$TMP/schema-new"
	ok "$from -> $current: the same $(grep -c '^member ' "$TMP/schema-new") member objects, definitions, privileges and comments as a fresh install"
	catalog_rows "$OLD" >"$TMP/rows-old" || fail "reading the upgraded catalog"
	compare "catalog rows and policies after $from -> $current" "$TMP/rows-old" "$TMP/rows-new"
	ok "$from -> $current: the same $(wc -l <"$TMP/rows-new") catalog rows and policies"
	answers "$OLD" >"$TMP/answers-old" || fail "asking the upgraded database"
	compare "answers after $from -> $current" "$TMP/answers-old" "$TMP/answers-new"
	ok "$from -> $current: the same $(wc -l <"$TMP/answers-new") lines of answers for 4 roles"
done
[[ $versions -gt 0 ]] || fail "no earlier version in sql/history/"
echo "ok 67-upgrade: $versions earlier version(s) upgraded to $current like a fresh install ($CHECKS checks)"
