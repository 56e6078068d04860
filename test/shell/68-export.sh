#!/usr/bin/env bash
# test/shell/68-export.sh -- flp.export_config() applied to a fresh database
# gives the same effective permissions.
#
# Database A gets a configuration that fills every catalog table (governed
# tables in a schema with a capital letter, an included key, an excluded
# field, masks including flp.mask_hash, an inherited field, four bundles of
# every kind with table and field settings, Default_Partner_Bundle's opened
# field, an assignment to a group role, criteria rules, five roles of which
# four registered with licenses and attributes, seats, two partners with a
# partner bundle, an area, scope, record assignments to a partner and to one
# partner user, a record link, data rules). Its export is applied with
# psql -v ON_ERROR_STOP=1 to database B, which has the same tables and rows
# and a freshly created flp; the key of flp.mask_hash is copied as the
# script's comment says. Then A and B have
#   - the same catalog rows (without ids), guards and policies,
#   - the same flp.permission_matrix(),
#   - the same answers for each login role (masked rows, a partner user's
#     rows, data-rule rows, a refused filter, a refused update),
#   - the same export;
# and applying the script to B a second time changes none of it.
# Uses the main test cluster (PGHOST/PGPORT). Exit 0 = pass, 1 = fail.
set -uo pipefail

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
PSQL=("$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -q)
A=flp_export_a
B=flp_export_b
ROLES='exp_team, exp_anna, exp_vera, exp_pete, "exp Olga"'
LOGINS=(exp_anna exp_vera exp_pete "exp Olga")
TMP="$(mktemp -d /tmp/flp-export.XXXXXX)"
CHECKS=0

fail() {
	echo "FAIL 68-export: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "  ok: $*"
}

cleanup() {
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $A" -c "DROP DATABASE IF EXISTS $B" \
		-c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
[[ -z "${FLP_EXPORT_KEEP:-}" ]] || trap - EXIT

# compare WHAT FILE1 FILE2: fail with the diff when they differ
compare() {
	if ! diff -u "$2" "$3" >"$TMP/diff"; then
		head -n 60 "$TMP/diff" >&2
		fail "$1 differ (above: - database A, + database B)"
	fi
}

# The tables and rows both databases have, and flp freshly created.
tables() {
	"${PSQL[@]}" -d "$1" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION flp;
CREATE SCHEMA "CRM";
GRANT USAGE ON SCHEMA "CRM" TO PUBLIC;
CREATE TABLE accounts (id int PRIMARY KEY, name text, ssn text, email text, region text);
CREATE TABLE "CRM".contacts (id int PRIMARY KEY, account_id int, name text, phone text);
CREATE TABLE notes (id int, body text, arr numeric);
INSERT INTO accounts VALUES
	(1, 'Acme', '111-11-1111', 'ceo@acme.test', 'emea'),
	(2, 'Globex', '222-22-2222', 'cfo@globex.test', 'amer'),
	(3, 'Initech', '333-33-3333', 'it@initech.test', 'emea');
INSERT INTO "CRM".contacts VALUES (1, 1, 'Ann', '555-0001'), (2, 2, 'Bob', '555-0002'), (3, 3, 'Cy', '555-0003');
INSERT INTO notes VALUES (1, 'first', 10), (2, 'second', 20);
GRANT SELECT, UPDATE ON accounts, "CRM".contacts, notes TO PUBLIC;
SQL
}

# The configuration, in database A only.
configure() {
	"${PSQL[@]}" -d "$1" <<'SQL'
SET client_min_messages = warning;
SELECT flp.protect('accounts');                      -- its key is excluded
SELECT flp.protect('"CRM".contacts');
SELECT flp.include_field('"CRM".contacts', 'id');    -- this key is governed
SELECT flp.protect('notes', 'read');
SELECT flp.exclude_field('accounts', 'region');
SELECT flp.set_mask('accounts', 'email', 'flp.mask_email(text)');
SELECT flp.set_mask('accounts', 'ssn', 'flp.mask_hash(text)');
SELECT flp.set_mask('"CRM".contacts', 'phone', 'flp.mask_last4(text)');
SELECT flp.inherit_field('notes', 'arr', 'accounts', 'ssn');

SELECT flp.create_bundle('Team', description => 'the team''s bundle');
SELECT flp.set_permission('Team', 'accounts', NULL, 'edit');
SELECT flp.set_permission('Team', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Team', 'accounts', 'email', 'read');
SELECT flp.set_permission('Team', '"CRM".contacts', NULL, 'read');
SELECT flp.assign('Team', 'exp_team');

SELECT flp.create_bundle('Viewers', license => 'viewer');
SELECT flp.set_permission('Viewers', 'accounts', NULL, 'read');
SELECT flp.set_permission('Viewers', 'accounts', 'name', 'hide');
SELECT flp.add_rule('Viewers', '{"region": "emea"}');

SELECT flp.create_bundle('Ops "night" shift');
SELECT flp.set_permission('Ops "night" shift', 'notes', NULL, 'edit');
SELECT flp.add_rule('Ops "night" shift', '{"dept": "ops"}');

SELECT flp.set_seats('viewer', 3);
SELECT flp.set_seats('full', 10);
SELECT flp.register_user('exp_anna', 'full', '{"dept": "ops", "region": "emea"}');
SELECT flp.register_user('exp_vera', 'viewer', '{"region": "emea"}');

SELECT flp.add_partner('Acme & Co', '1');
SELECT flp.add_partner('Globex');
SELECT flp.register_user('exp_pete', 'full', '{"region": "amer"}', 'Acme & Co');
SELECT flp.register_user('"exp Olga"', 'full', '{"region": "emea"}', 'Globex');
SELECT flp.define_area('timeline', ARRAY['accounts', '"CRM".contacts']::regclass[]);
SELECT flp.create_bundle('Partner Bundle', 'partner', description => 'for Acme');
SELECT flp.set_permission('Partner Bundle', 'accounts', NULL, 'read');
SELECT flp.set_permission('Partner Bundle', 'accounts', 'ssn', 'hide');
SELECT flp.set_permission('Partner Bundle', '"CRM".contacts', NULL, 'read');
SELECT flp.assign_partner_bundle('Acme & Co', 'Partner Bundle');
SELECT flp.set_permission('Default_Partner_Bundle', 'accounts', 'name', 'read');
SELECT flp.partner_scope('accounts', 'id');
SELECT flp.assign_record('Acme & Co', 'accounts', '2');
SELECT flp.assign_record('Globex', 'accounts', '3', '"exp Olga"');
SELECT flp.link_records('"CRM".contacts', 'account_id', 'accounts');

SELECT flp.add_data_rule('accounts', $$region = 'emea'$$, 'edit', 'Team');
SELECT flp.add_data_rule('accounts', $$region = flp.attribute('region')$$);
SQL
}

# The catalog rows (no ids, no OIDs), the guards and the policies.
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
SELECT 'rule ' || bundle || ' ' || criteria FROM flp.rule;
SELECT 'user ' || role || ' ' || license || ' ' || attributes || ' ' || coalesce(partner, '-') FROM flp.registered_user;
SELECT 'seats ' || license || ' ' || seats FROM flp.license_seats;
SELECT 'partner bundle ' || partner || ' ' || bundle FROM flp.partner_bundle;
SELECT 'area ' || t::text FROM flp.area_table t;
SELECT 'scope ' || t::text FROM flp.partner_scope t;
SELECT 'record ' || t::text FROM flp.record_assignment t;
SELECT 'link ' || t::text FROM flp.record_link t;
SELECT format('data rule %s %s %s %s', tbl, predicate, access, bundle) FROM flp.data_rule;
SELECT format('policy %s %s %s %s using %s check %s', p.polrelid::regclass, p.polname, p.polcmd,
			  p.polpermissive, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
  FROM pg_policy p
 WHERE p.polrelid IN (SELECT c.oid FROM pg_class c
					   WHERE c.relnamespace IN ('public'::regnamespace, '"CRM"'::regnamespace));
SQL
}

# The effective permissions, and what each login role sees and may do.
answers() {
	local role
	"${PSQL[@]}" -At -d "$1" -c "SELECT role, tbl, field, permission FROM flp.permission_matrix()" || return 1
	for role in "${LOGINS[@]}"; do
		echo "-- as $role"
		"$FLP_PG_BIN/psql" -X -At -d "$1" -U "$role" -v VERBOSITY=terse 2>&1 <<'SQL'
SELECT * FROM accounts ORDER BY id;
SELECT * FROM "CRM".contacts ORDER BY id;
SELECT count(*) FROM "CRM".contacts;
SELECT * FROM notes ORDER BY id;
SELECT id FROM accounts WHERE ssn = '111-11-1111';
UPDATE accounts SET name = name WHERE id = 1;
UPDATE notes SET body = body WHERE id = 1;
SQL
	done
}

# Everything compared between A and B, written to files with suffix $1.
snapshot() {
	catalog_rows "$2" >"$TMP/rows-$1" || fail "reading the catalog of $2"
	answers "$2" >"$TMP/answers-$1" || fail "asking $2"
	"${PSQL[@]}" -At -d "$2" -c "SELECT flp.export_config()" >"$TMP/export-$1" ||
		fail "exporting $2"
}

"${PSQL[@]}" -d postgres -c "CREATE ROLE exp_team" -c "CREATE ROLE exp_anna LOGIN IN ROLE exp_team" \
	-c "CREATE ROLE exp_vera LOGIN" -c "CREATE ROLE exp_pete LOGIN" -c 'CREATE ROLE "exp Olga" LOGIN' \
	>/dev/null || fail "creating the roles"
for db in $A $B; do
	"${PSQL[@]}" -d postgres -c "CREATE DATABASE $db" >/dev/null || fail "creating $db"
	tables "$db" >/dev/null || fail "creating the tables of $db"
done
configure $A >/dev/null || fail "configuring $A"

# the export, as a DBA takes it
"${PSQL[@]}" -At -d $A -c "SELECT flp.export_config()" >"$TMP/config.sql" || fail "exporting $A"
key="$("${PSQL[@]}" -At -d $A -c "SELECT secret FROM flp.mask_secret")" || fail "reading the key of $A"
[[ -n "$key" ]] || fail "no key in $A"
! grep -qF "$key" "$TMP/config.sql" || fail "the export contains flp.mask_hash's key"
! grep -qF "${key:0:12}" "$TMP/config.sql" || fail "the export contains part of flp.mask_hash's key"
for table in governed_table excluded_field field_mask inherited_field partner bundle table_permission \
	field_permission assignment rule registered_user license_seats partner_bundle area_table \
	partner_scope record_assignment record_link data_rule; do
	n="$("${PSQL[@]}" -At -d $A -c "SELECT count(*) FROM flp.$table")"
	[[ "$n" -gt 0 ]] || fail "catalog table flp.$table of $A is empty: the test covers less than it says"
done
ok "the export of $A ($(wc -l <"$TMP/config.sql") lines) holds no key, from a configuration in every catalog table"

snapshot a $A
grep -q '^-- as exp_pete$' "$TMP/answers-a" && grep -q '\*\*\*\*' "$TMP/answers-a" ||
	fail "$A's answers show no masked value"

# applied to B with the key copied as the script's comment says
"${PSQL[@]}" -d $B -v ON_ERROR_STOP=1 -f "$TMP/config.sql" >"$TMP/apply.log" 2>&1 ||
	{ cat "$TMP/apply.log" >&2; fail "applying the export to $B"; }
"${PSQL[@]}" -d $B -v key="$key" >/dev/null <<'SQL' || fail "copying the key to $B"
UPDATE flp.mask_secret SET secret = :'key';
SQL
snapshot b $B
compare "catalog rows, guards and policies" "$TMP/rows-a" "$TMP/rows-b"
ok "$B has the same $(wc -l <"$TMP/rows-a") catalog rows, guards and policies as $A"
compare "effective permissions and answers" "$TMP/answers-a" "$TMP/answers-b"
ok "$B gives the same $(wc -l <"$TMP/answers-a") lines of permission matrix and answers for ${#LOGINS[@]} roles"
compare "exports" "$TMP/export-a" "$TMP/export-b"
ok "$B exports the same script as $A"

# a second time: nothing changes
"${PSQL[@]}" -d $B -v ON_ERROR_STOP=1 -f "$TMP/config.sql" >"$TMP/apply.log" 2>&1 ||
	{ cat "$TMP/apply.log" >&2; fail "applying the export to $B a second time"; }
snapshot b2 $B
compare "catalog rows after a second apply" "$TMP/rows-a" "$TMP/rows-b2"
compare "answers after a second apply" "$TMP/answers-a" "$TMP/answers-b2"
compare "exports after a second apply" "$TMP/export-a" "$TMP/export-b2"
ok "applied a second time, $B is unchanged"

echo "ok 68-export: the export of a configuration applied to a fresh database gives the same permissions ($CHECKS checks)"
