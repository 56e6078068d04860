#!/usr/bin/env bash
# test/shell/40-fail-closed.sh -- fail closed: with flp removed from
# shared_preload_libraries (and the server restarted), no query of a subject
# reads a governed table unmasked: sessions of a database with flp cannot
# start (session_preload_libraries), and a superuser who starts one anyway to
# repair things finds governed tables refused to subjects by flp's guard
# policy.  With the preload back, masking resumes.
# Uses (and restarts) the main test cluster. Exit 0 = pass, 1 = fail.
set -euo pipefail
# the set-up's notices (flp.protect's advice) are not this test's output
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"
PSQL=("$FLP_PG_BIN/psql" -X -q)
DB=flp_failclosed
CANARY=CNRY_FAILCLOSED_91d2

fail() {
	echo "FAIL 40-fail-closed: $*" >&2
	exit 1
}

cleanup() {
	flp_cluster_restart >/dev/null 2>&1 || true
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" \
		-c "DROP ROLE IF EXISTS regress_fc_subject" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

"${PSQL[@]}" -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" \
	-c "CREATE ROLE regress_fc_subject LOGIN" >/dev/null || fail "setup"
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || fail "setup in $DB"
CREATE EXTENSION flp;
CREATE TABLE accounts (id int PRIMARY KEY, name text, secret text);
INSERT INTO accounts VALUES (1, 'visible', '$CANARY');
CREATE VIEW accounts_view AS SELECT * FROM accounts;    -- owned by a superuser
GRANT SELECT ON accounts, accounts_view TO regress_fc_subject;
SELECT flp.protect('accounts');
SELECT flp.create_bundle('FC');
SELECT flp.set_permission('FC', 'accounts', NULL, 'edit');
SELECT flp.set_permission('FC', 'accounts', 'secret', 'hide');
SELECT flp.assign('FC', 'regress_fc_subject');
SQL

# as the subject, through every path: no canary, and an error
subject_try() {
	local out
	out="$("${PSQL[@]}" -U regress_fc_subject -d "$DB" -c "$1" 2>&1)" && return 1
	[[ "$out" != *"$CANARY"* ]] || fail "canary leaked for: $1"
	echo "$out"
}

# with flp loaded: masked
out="$("${PSQL[@]}" -At -U regress_fc_subject -d "$DB" -c "SELECT secret FROM accounts_view")" ||
	fail "subject query with flp loaded"
[[ "$out" == "****" ]] || fail "expected a mask with flp loaded, got: $out"

flp_cluster_restart none >/dev/null || fail "cannot restart without flp"
[[ -z "$("${PSQL[@]}" -At -d postgres -c 'SHOW shared_preload_libraries')" ]] ||
	fail "flp is still preloaded"

for q in "SELECT * FROM accounts" "SELECT * FROM accounts_view" "SELECT count(*) FROM accounts" \
	"COPY accounts TO STDOUT"; do
	out="$(subject_try "$q")" || fail "the subject's session ran: $q"
	[[ "$out" == *"shared_preload_libraries"* ]] || fail "unexpected error for '$q': $out"
done
echo "  subject sessions refused: $(head -1 <<<"$out")"

# a superuser may start a session to repair (overriding the database's
# setting); subjects' queries on the governed table are still refused there
export PGOPTIONS='-c session_preload_libraries='
out="$("${PSQL[@]}" -d "$DB" -c "SET ROLE regress_fc_subject" -c "SELECT * FROM accounts" 2>&1)" &&
	fail "the guard let a subject read the governed table: $out"
[[ "$out" != *"$CANARY"* ]] || fail "canary leaked through the guard"
[[ "$out" == *"shared_preload_libraries"* ]] || fail "unexpected guard error: $out"
out="$("${PSQL[@]}" -d "$DB" -c "SET ROLE regress_fc_subject" -c "COPY accounts TO STDOUT" 2>&1)" &&
	fail "the guard let a subject copy the governed table: $out"
[[ "$out" != *"$CANARY"* ]] || fail "canary leaked through COPY"
out="$("${PSQL[@]}" -At -d "$DB" -c "SELECT secret FROM accounts")" || fail "superuser query"
[[ "$out" == "$CANARY" ]] || fail "the superuser should see the value, got: $out"
unset PGOPTIONS
echo "  guard refuses subjects in a repair session: ok"

flp_cluster_restart >/dev/null || fail "cannot restart with flp"
out="$("${PSQL[@]}" -At -U regress_fc_subject -d "$DB" -c "SELECT secret FROM accounts")" ||
	fail "subject query after the preload came back"
[[ "$out" == "****" ]] || fail "expected a mask after the preload came back, got: $out"
echo "ok 40-fail-closed: refused without the preload (sessions and guard), masked with it"
