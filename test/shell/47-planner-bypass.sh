#!/usr/bin/env bash
# test/shell/47-planner-bypass.sh -- a library whose planner hook runs before
# flp's and never calls it (test/neighbours/bypass/flp_test_bypass.c, built
# here with PGXS into a temporary directory, never installed):
#   (a) listed after flp in shared_preload_libraries: flp names it in a
#       WARNING at start; every plan that reads a governed table -- directly,
#       through a view, a prepared statement, a PL/pgSQL function -- is
#       refused (55000), for subjects and superusers alike, because it did not
#       pass through flp's planner hook; queries of other tables still run;
#   (b) listed before flp: flp's hook is the outermost and calls it; nothing
#       is said at start, and the subject reads masks and is refused filters
#       on hidden fields as usual;
#   (c) flp alone preloaded, the library LOADed into one session by a
#       superuser: that session's plans of governed tables are refused; other
#       sessions are masked as usual.
# Environment (from test/run-tests.sh): FLP_ROOT, FLP_PG_BIN. Exit 0 = pass,
# 1 = fail.
set -uo pipefail

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"

NAME=47-planner-bypass
DB=flp_bypass
PSQL=("$FLP_PG_BIN/psql" -X -q -At -v VERBOSITY=verbose -v SHOW_CONTEXT=never)
PG_CONFIG="$FLP_PG_BIN/pg_config"
[[ -x "$PG_CONFIG" ]] || PG_CONFIG=pg_config
TMP="$(mktemp -d /tmp/flp-bypass.XXXXXX)"
chmod 0755 "$TMP"

fail() {
	echo "FAIL $NAME: $*" >&2
	flp_cluster_log "" 20
	exit 1
}

cleanup() {
	flp_cluster_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the library
cp "$FLP_ROOT/test/neighbours/bypass/Makefile" "$FLP_ROOT/test/neighbours/bypass/flp_test_bypass.c" "$TMP/" ||
	fail "cannot copy the test library"
make -s --no-print-directory -C "$TMP" "PG_CONFIG=$PG_CONFIG" >"$TMP/build.log" 2>&1 ||
	fail "cannot build the test library: $(cat "$TMP/build.log")"
chmod -R a+rX "$TMP"
BYPASS="$TMP/flp_test_bypass"
[[ -f "$BYPASS.so" ]] || fail "the build left no $BYPASS.so"

# ---------------------------------------------------------------- the data
flp_cluster_start "" flp || fail "cannot start a cluster"
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" \
	-c "CREATE ROLE bypass_subject LOGIN" >/dev/null || fail "setup"
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL' || fail "setup in $DB"
SET client_min_messages = warning;
CREATE EXTENSION flp;
CREATE TABLE t (id int PRIMARY KEY, name text, secret text);
INSERT INTO t VALUES (1, 'one', 'BYPASS_CANARY_1'), (2, 'two', 'BYPASS_CANARY_2');
CREATE TABLE plain (id int);
INSERT INTO plain VALUES (1), (2), (3);
CREATE VIEW v AS SELECT id, secret FROM t;
CREATE FUNCTION secrets() RETURNS text LANGUAGE plpgsql AS
	$$BEGIN RETURN (SELECT string_agg(secret, ',' ORDER BY id) FROM t); END$$;
GRANT SELECT ON t, plain, v TO bypass_subject;
SELECT flp.protect('t');
SELECT flp.exclude_field('t', 'id');
SELECT flp.create_bundle('B');
SELECT flp.set_permission('B', 't', NULL, 'edit');
SELECT flp.set_permission('B', 't', 'secret', 'hide');
SELECT flp.assign('B', 'bypass_subject');
SQL

# run SQL as ROLE in $DB: stdout and stderr together
as() {
	local role="$1"
	shift
	"${PSQL[@]}" -U "$role" -d "$DB" "$@" 2>&1
}

# the answer of a subject under flp's rules: masks, and a refused filter
expect_masked() {
	local label="$1" out
	out="$(as bypass_subject -c "SELECT string_agg(name || '=' || secret, ' ' ORDER BY id) FROM t")"
	[[ "$out" == "one=**** two=****" ]] || fail "$label: the subject read '$out', expected masks"
	out="$(as bypass_subject -c "SELECT count(*) FROM t WHERE secret LIKE 'BYPASS%'")"
	[[ "$out" == *"ERROR:  42501: permission denied for field \"secret\""* ]] ||
		fail "$label: a filter on the hidden field gave '$out', expected 42501"
}

# a refusal of a plan that bypassed flp: 55000, naming the table and library
expect_refused() {
	local label="$1" out
	shift
	out="$("$@")"
	[[ "$out" != *BYPASS_CANARY* ]] || fail "$label: a hidden value was read: $out"
	[[ "$out" == *"ERROR:  55000: plan reading governed table \"t\" was not made through flp's planner hook"* &&
		"$out" == *"DETAIL:  The planner hook of library \"$BYPASS.so\" runs before flp's"* ]] ||
		fail "$label: expected a refusal (55000) naming $BYPASS.so, got '$out'"
}

expect_masked "flp alone"

# restart with shared_preload_libraries = $1; what the server logged since is
# in $TMP/start.log (pg_ctl appends to the log)
restart() {
	local log="$FLP_CLUSTER_DIR/log/postgresql.log" before
	before="$(wc -l <"$log")"
	flp_cluster_restart "$1" >/dev/null || fail "cannot restart with '$1'"
	tail -n "+$((before + 1))" "$log" >"$TMP/start.log"
}

# ---------------------------------------------------------------- (a) after flp
restart "flp,$BYPASS"
grep -q "WARNING:  planner_hook of library \"$BYPASS.so\" runs before flp's" "$TMP/start.log" ||
	fail "(a) no start message naming $BYPASS.so"
[[ "$(grep -c "runs before flp's" "$TMP/start.log")" -eq 1 ]] ||
	fail "(a) start messages about other hooks than the planner's: $(grep "runs before flp's" "$TMP/start.log")"
expect_refused "(a) subject, table" as bypass_subject -c "SELECT secret FROM t"
expect_refused "(a) subject, view" as bypass_subject -c "SELECT secret FROM v"
expect_refused "(a) subject, prepared" as bypass_subject -c "PREPARE p AS SELECT secret FROM t" -c "EXECUTE p"
expect_refused "(a) subject, PL/pgSQL" as bypass_subject -c "SELECT secrets()"
expect_refused "(a) superuser, table" as postgres -c "SELECT secret FROM t"
expect_refused "(a) subject, filter" as bypass_subject -c "SELECT count(*) FROM t WHERE secret = 'x'"
out="$(as bypass_subject -c "SELECT sum(id) FROM plain")"
[[ "$out" == 6 ]] || fail "(a) a query of an ungoverned table gave '$out', expected 6"
echo "  (a) 'flp,flp_test_bypass': named at start; table, view, prepared statement, PL/pgSQL, superuser refused (55000); other tables answered"

# ---------------------------------------------------------------- (b) before flp
restart "$BYPASS,flp"
! grep -q "runs before flp's" "$TMP/start.log" ||
	fail "(b) a start message although flp is last: $(grep "runs before flp's" "$TMP/start.log")"
expect_masked "(b) 'flp_test_bypass,flp'"
echo "  (b) 'flp_test_bypass,flp': nothing said at start; masks and refusals as usual"

# ---------------------------------------------------------------- (c) LOAD
restart flp
expect_refused "(c) LOADed into the session" as postgres -c "LOAD '$BYPASS'" \
	-c "SET ROLE bypass_subject" -c "SELECT secret FROM t"
expect_masked "(c) another session"
echo "  (c) LOAD into one session: its plans of governed tables refused; other sessions masked"
echo "ok $NAME"
