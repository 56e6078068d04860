#!/usr/bin/env bash
# test/shell/30-attacks.sh -- the attack suite (test/attacks/): every attack of
# test/attacks/catalogue.sql is run as a subject against canary values in
# hidden fields; fails if any canary (or its md5) appears in any output or
# error message, or if a refusal, a masked answer or a sanity check is not as
# the contract says.  Uses the main test cluster (PGHOST/PGPORT, PGUSER a
# superuser); creates the database flp_attacks and the roles atk_subject and
# atk_admin, and drops them afterwards.  Exits with run.sh's status: 0 = pass,
# 1 = leaks or failures, 2 = the suite could not run.
set -uo pipefail

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
export FLP_PG_BIN
DB="${FLP_ATTACK_DB:-flp_attacks}"

cleanup() {
	"$FLP_PG_BIN/psql" -X -q -d postgres \
		-c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS atk_etl, atk_subject, atk_admin, atk_partner, atk_viewowner" >/dev/null 2>&1 || true
}
trap cleanup EXIT

rc=0
bash "$FLP_ROOT/test/attacks/run.sh" || rc=$?
if [[ $rc -ne 0 ]]; then
	echo "FAIL 30-attacks: run.sh exited with status $rc (1: leaks or failures, 2: could not run)" >&2
	exit "$rc"
fi
echo "ok 30-attacks"
