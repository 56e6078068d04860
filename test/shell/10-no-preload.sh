#!/usr/bin/env bash
# test/shell/10-no-preload.sh -- flp must refuse to be created when it is not
# in shared_preload_libraries (fail closed).
#
# Starts a second throwaway cluster WITHOUT the preload, runs
# CREATE EXTENSION flp there and asserts that it fails with an error that
# mentions shared_preload_libraries, and that no extension was created.
# The main test cluster (PGHOST/PGPORT of the caller) is left untouched.
# Needs the extension installed (make install). Exit 0 = pass, 1 = fail.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=test/lib/cluster.sh
source "$HERE/../lib/cluster.sh"
PSQL=("$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1)

fail() {
	echo "FAIL 10-no-preload: $*" >&2
	exit 1
}

# Run CREATE EXTENSION flp; it must fail and mention shared_preload_libraries.
check_create_fails() {
	local err
	if err="$("${PSQL[@]}" -c 'CREATE EXTENSION flp' 2>&1 >/dev/null)"; then
		fail "CREATE EXTENSION flp succeeded without shared_preload_libraries"
	fi
	echo "  psql: ${err//$'\n'/$'\n'  psql: }"
	[[ "$err" == *shared_preload_libraries* ]] ||
		fail "the error does not mention shared_preload_libraries: $err"
}

# Nothing may have been created by the failed CREATE EXTENSION.
check_nothing_created() {
	local n
	n="$("${PSQL[@]}" -Atc "SELECT count(*) FROM pg_extension WHERE extname = 'flp'")" ||
		fail "cannot query pg_extension"
	[[ "$n" == 0 ]] || fail "pg_extension has $n row(s) for flp"
	n="$("${PSQL[@]}" -Atc "SELECT count(*) FROM pg_namespace WHERE nspname = 'flp'")" ||
		fail "cannot query pg_namespace"
	[[ "$n" == 0 ]] || fail "schema flp exists after the failed CREATE EXTENSION"
}

# In a subshell so the caller's PGHOST/PGPORT/FLP_CLUSTER_DIR stay intact.
(
	trap flp_cluster_stop EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	flp_cluster_start "" none || fail "cannot start a cluster without preload"
	check_create_fails
	check_nothing_created
)
echo "ok 10-no-preload: CREATE EXTENSION flp refused without shared_preload_libraries"
