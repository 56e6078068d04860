#!/usr/bin/env bash
# test/shell/55-differential.sh -- "invisible when not used": with flp
# preloaded and installed, PostgreSQL answers super admins, and subjects on
# tables that are not governed, exactly as it does without flp.
#
# Starts two throwaway clusters of its own: A preloads flp and its database
# flp_diff has the extension and the rules of test/differential/flp.sql
# (governed tables with hidden, read, masked and inherited fields, bundles,
# criteria rules, partners with record scoping, data rules, a partitioned and
# an inheritance parent); B is plain PostgreSQL.  Both get the same
# deterministic schema and data (test/differential/schema.sql), the same
# settings (no autovacuum, no parallel query) and VACUUM ANALYZE, so plans
# and row order are the same.  sqlsmith (--dry-run --exclude-catalog, fixed
# seeds) writes queries against B, introspecting as each role:
#   postgres     a superuser: every table, governed ones included
#   diff_admin   a member of flp_admin (a super admin in A, under row-level
#                security as a non-superuser): every table
#   diff_reader  a subject in A (bundles, a registration, a criteria rule),
#                with privileges on the ungoverned tables only
#   diff_editor  a subject in A with Edit on every field of the governed
#                tables it may read (those without data rules, and not the
#                inheritance child, whose own column is hidden by design):
#                flp rewrites its queries and must not change their answers
# test/differential/diff.py runs each query as that role on A and on B (in a
# rolled-back transaction, with a statement_timeout) and compares command
# tags, rows (sorted unless the query has a top-level ORDER BY), notices,
# and SQLSTATE and message of errors; a difference is re-run on both and
# counts only if both clusters repeat their answers (otherwise the query is
# not deterministic and is dropped).  Queries whose answer differs between
# any two clusters (clocks, random, pids, statistics, transaction ids, WAL
# positions, settings: test/differential/deny.txt) are skipped.
#
# A control query as a partner user (record scoping) must differ, or the run
# proves nothing.  Fails on any difference, a lost connection, or a server
# log line with "terminated by signal", "TRAP:" or "PANIC:".  Ends with
#   flp differential: N queries, 0 differences
#
# Environment: FLP_ROOT, FLP_PG_BIN (as test/run-tests.sh sets them; the
# caller's cluster is not used).
#   FLP_DIFF_LONG=1          the long run: 8 seeds per role, 2500 queries each
#                            (about 30,000 compared, 2-6 minutes: run it
#                            alone, `bash test/shell/55-differential.sh`, or
#                            raise FLP_TEST_TIMEOUT for test/run-tests.sh)
#   FLP_DIFF_SEEDS="1 2"     seeds (default "1 2"; role k adds 1000*k)
#   FLP_DIFF_QUERIES=N       queries per seed and role (default 1000: about
#                            3,000 compared in 15-60 s on 2 cores)
#   FLP_DIFF_TIMEOUT_MS=N    statement_timeout of each query (default 1000)
#   FLP_KEEP_CLUSTER=1       keep the clusters' directories (logs)
# Installs sqlsmith and python3-psycopg (Debian) if missing.  Exit 0 = pass,
# 1 = fail.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FLP_ROOT="${FLP_ROOT:-$(cd "$HERE/../.." && pwd)}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
export FLP_PG_BIN
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"
# shellcheck source=test/lib/deps.sh
source "$FLP_ROOT/test/lib/deps.sh"
# shellcheck source=test/lib/track.sh
source "$FLP_ROOT/test/lib/track.sh"

PSQL=("$FLP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
PY=/usr/bin/python3
DB=flp_diff
DIFF="$FLP_ROOT/test/differential"
ROLES=(postgres diff_admin diff_reader diff_editor)
GOVERNED='\bcs\.(company|contact|relationship|cta|opportunity|opportunity_a|opportunity_b|survey|activity|activity_call|v_company_summary|v_region_arr)\b'
if [[ -n "${FLP_DIFF_LONG:-}" ]]; then
	SEEDS="${FLP_DIFF_SEEDS:-1 2 3 4 5 6 7 8}"
	QUERIES="${FLP_DIFF_QUERIES:-2500}"
else
	SEEDS="${FLP_DIFF_SEEDS:-1 2}"
	QUERIES="${FLP_DIFF_QUERIES:-1000}"
fi
TIMEOUT_MS="${FLP_DIFF_TIMEOUT_MS:-1000}"
read -r -a SEED_LIST <<<"$SEEDS"

TMP="$(mktemp -d /tmp/flp-diff.XXXXXX)" || exit 1
A_DIR="" B_DIR=""

say() {
	echo "55-differential: $*"
}

fail() {
	echo "FAIL 55-differential: $*" >&2
	exit 1
}

cleanup() {
	track_kill_all
	# the clusters are thrown away whole: databases and roles with them
	[[ -z "$A_DIR" ]] || flp_cluster_stop "$A_DIR"
	[[ -z "$B_DIR" ]] || flp_cluster_stop "$B_DIR"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------------ prerequisites
[[ ${#SEED_LIST[@]} -gt 0 ]] || fail "no seeds"
for s in "${SEED_LIST[@]}"; do
	[[ "$s" =~ ^[0-9]+$ ]] || fail "bad seed '$s'"
done
[[ "$QUERIES" =~ ^[1-9][0-9]*$ ]] || fail "bad FLP_DIFF_QUERIES '$QUERIES'"
[[ "$TIMEOUT_MS" =~ ^[1-9][0-9]*$ ]] || fail "bad FLP_DIFF_TIMEOUT_MS '$TIMEOUT_MS'"
flp_deps_ensure sqlsmith python3-psycopg || fail "cannot install sqlsmith and python3-psycopg"
command -v sqlsmith >/dev/null || fail "sqlsmith is not on PATH"
"$PY" -c 'import psycopg' 2>/dev/null || fail "$PY cannot import psycopg"

# ------------------------------------------------------------------ clusters
say "starting two clusters: A with flp, B without"
flp_cluster_start "" flp || fail "cannot start cluster A"
A_DIR="$FLP_CLUSTER_DIR" A_HOST="$PGHOST" A_PORT="$PGPORT"
flp_cluster_start "" none || fail "cannot start cluster B"
B_DIR="$FLP_CLUSTER_DIR" B_HOST="$PGHOST" B_PORT="$PGPORT"
export PGUSER=postgres
unset PGHOST PGPORT PGDATABASE

# psql_on A|B ARGS...
psql_on() {
	local side="$1"
	shift
	if [[ "$side" == A ]]; then
		"${PSQL[@]}" -h "$A_HOST" -p "$A_PORT" "$@"
	else
		"${PSQL[@]}" -h "$B_HOST" -p "$B_PORT" "$@"
	fi
}

for side in A B; do
	psql_on "$side" -d postgres -c "ALTER SYSTEM SET autovacuum = off" \
		-c "ALTER SYSTEM SET max_parallel_workers_per_gather = 0" -c "ALTER SYSTEM SET jit = off" \
		-c "SELECT pg_reload_conf()" -c "CREATE DATABASE $DB" >>"$TMP/setup.log" 2>&1 ||
		{ cat "$TMP/setup.log" >&2; fail "configuring cluster $side"; }
done
say "loading test/differential/schema.sql into both, test/differential/flp.sql into A"
psql_on A -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION flp" \
	-f "$DIFF/schema.sql" -f "$DIFF/flp.sql" >>"$TMP/setup.log" 2>&1 ||
	{ cat "$TMP/setup.log" >&2; fail "setup of A"; }
psql_on B -d "$DB" -f "$DIFF/schema.sql" >>"$TMP/setup.log" 2>&1 ||
	{ cat "$TMP/setup.log" >&2; fail "setup of B"; }
for side in A B; do
	psql_on "$side" -d "$DB" -c "VACUUM ANALYZE" >>"$TMP/setup.log" 2>&1 ||
		{ cat "$TMP/setup.log" >&2; fail "VACUUM ANALYZE on $side"; }
done

# ------------------------------------------------------------------ sanity
[[ "$(psql_on A -d postgres -Atc 'SHOW shared_preload_libraries')" == flp ]] || fail "A does not preload flp"
[[ -z "$(psql_on B -d postgres -Atc 'SHOW shared_preload_libraries')" ]] || fail "B preloads something"
[[ "$(psql_on A -d "$DB" -Atc "SELECT count(*) FROM pg_extension WHERE extname = 'flp'")" == 1 ]] ||
	fail "no extension flp in A"
[[ "$(psql_on A -d "$DB" -Atc "SELECT count(*) FROM flp.governed_table")" -ge 7 ]] ||
	fail "A has no governed tables"
# both hold the same data (as the superuser sees it)
data_sql="SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM (
	SELECT c::text AS t FROM cs.company c UNION ALL SELECT k::text FROM cs.contact k
	UNION ALL SELECT o::text FROM cs.opportunity o UNION ALL SELECT a::text FROM cs.activity a
	UNION ALL SELECT p::text FROM cs.product p UNION ALL SELECT l::text FROM cs.audit_log l) x"
a_data="$(psql_on A -d "$DB" -Atc "$data_sql")" || fail "reading A"
b_data="$(psql_on B -d "$DB" -Atc "$data_sql")" || fail "reading B"
[[ -n "$a_data" && "$a_data" == "$b_data" ]] || fail "A and B do not hold the same data ($a_data, $b_data)"

A_CONN="host=$A_HOST port=$A_PORT dbname=$DB application_name=flp_diff"
B_CONN="host=$B_HOST port=$B_PORT dbname=$DB application_name=flp_diff"

# the comparison sees a difference when flp makes one: a partner user sees
# only the companies assigned to its partner in A, every company in B
printf 'select id, name from cs.company order by id;\n' >"$TMP/control.sql"
"$PY" "$DIFF/diff.py" --a "$A_CONN user=diff_partner" --b "$B_CONN user=diff_partner" \
	--corpus "$TMP/control.sql" --label control --report "$TMP/control.report" \
	--stats "$TMP/control.stats" >"$TMP/control.out" 2>&1 || fail "diff.py: $(tail -5 "$TMP/control.out")"
grep -q '^queries=1 compared=1 .*differences=1 ' "$TMP/control.stats" ||
	fail "the control query of a partner user should differ: $(cat "$TMP/control.stats" "$TMP/control.report")"

# ------------------------------------------------------------------ running
declare -A LOG_OFFSET
for dir in "$A_DIR" "$B_DIR"; do
	LOG_OFFSET[$dir]="$(stat -c %s "$dir/log/postgresql.log" 2>/dev/null || echo 0)"
done

# diff_role INDEX ROLE: generate against B as ROLE (seeds + 1000*INDEX), compare.
diff_role() {
	local idx="$1" role="$2" s seed out corpora=()
	for s in "${SEED_LIST[@]}"; do
		seed=$((s + 1000 * idx))
		out="$TMP/corpus-$role-$seed.sql"
		if ! track "gen-$role-$seed" timeout 300 sqlsmith --dry-run --exclude-catalog --max-queries="$QUERIES" --seed="$seed" \
			--target="host=$B_HOST port=$B_PORT dbname=$DB user=$role" >"$out" 2>"$out.err"; then
			echo "sqlsmith failed for $role, seed $seed: $(tail -3 "$out.err")" >"$TMP/$role.fail"
			return 1
		fi
		corpora+=(--corpus "$out")
	done
	if ! track "run-$role" "$PY" "$DIFF/diff.py" --a "$A_CONN user=$role" --b "$B_CONN user=$role" "${corpora[@]}" \
		--deny "$DIFF/deny.txt" --timeout-ms "$TIMEOUT_MS" --label "$role" --governed "$GOVERNED" \
		--report "$TMP/$role.report" --stats "$TMP/$role.stats" >"$TMP/$role.out" 2>&1; then
		echo "diff.py failed for $role: $(tail -5 "$TMP/$role.out")" >"$TMP/$role.fail"
		return 1
	fi
}

say "seeds ${SEED_LIST[*]} (+1000 per role), $QUERIES queries per seed and role, statement_timeout ${TIMEOUT_MS}ms"
start=$SECONDS
for i in "${!ROLES[@]}"; do
	diff_role "$i" "${ROLES[$i]}" &
done
wait
elapsed=$((SECONDS - start))
say "corpus md5: $(cat "$TMP"/corpus-*.sql 2>/dev/null | md5sum | cut -c1-12)"

# ------------------------------------------------------------------ verdict
FAILED=0
COMPARED=0 DIFFERENCES=0 CRASHES=0 GENERATED=0
stat_of() { # stat_of FILE KEY
	sed -n "1s/.*\b$2=\([0-9]*\).*/\1/p" "$1"
}
for i in "${!ROLES[@]}"; do
	role="${ROLES[$i]}"
	if [[ -f "$TMP/$role.fail" ]]; then
		cat "$TMP/$role.fail" >&2
		FAILED=1
		continue
	fi
	st="$TMP/$role.stats"
	[[ -s "$st" ]] || { echo "no statistics for $role" >&2; FAILED=1; continue; }
	q="$(stat_of "$st" queries)"
	if [[ "$q" -ne $((QUERIES * ${#SEED_LIST[@]})) ]]; then
		echo "$role: sqlsmith wrote $q queries, expected $((QUERIES * ${#SEED_LIST[@]}))" >&2
		FAILED=1
	fi
	GENERATED=$((GENERATED + q))
	COMPARED=$((COMPARED + $(stat_of "$st" compared)))
	DIFFERENCES=$((DIFFERENCES + $(stat_of "$st" differences)))
	CRASHES=$((CRASHES + $(stat_of "$st" crashes)))
	seeds="$(for s in "${SEED_LIST[@]}"; do echo -n "$((s + 1000 * i)),"; done)"
	printf '  %s (seeds %s): %d compared: %d same rows (%d on governed tables), %d same errors; %d differences; skipped: %d filtered, %d not deterministic, %d timeouts\n' \
		"$role" "${seeds%,}" "$(stat_of "$st" compared)" "$(stat_of "$st" same_ok)" \
		"$(stat_of "$st" same_ok_governed)" "$(stat_of "$st" same_error)" \
		"$(stat_of "$st" differences)" "$(stat_of "$st" filtered)" \
		"$(stat_of "$st" nondeterministic)" "$(stat_of "$st" timeouts)"
done
if [[ $FAILED -eq 0 && $COMPARED -lt $((GENERATED / 5)) ]]; then
	echo "only $COMPARED of $GENERATED queries were compared: the run proves little" >&2
	FAILED=1
fi

# the server logs: crashes, failed assertions, panics
for dir in "$A_DIR" "$B_DIR"; do
	log="$dir/log/postgresql.log"
	[[ -f "$log" ]] || continue
	if tail -c +"$((${LOG_OFFSET[$dir]} + 1))" "$log" |
		grep -a -E 'terminated by signal|was terminated by exception|TRAP:|PANIC:' >"$TMP/log-problems"; then
		echo "server log of $( [[ "$dir" == "$A_DIR" ]] && echo A || echo B):" >&2
		head -20 "$TMP/log-problems" >&2
		CRASHES=$((CRASHES + 1))
	fi
done

cat "$TMP"/postgres.report "$TMP"/diff_*.report >"$TMP/report" 2>/dev/null
if [[ $DIFFERENCES -gt 0 || $CRASHES -gt 0 ]]; then
	FAILED=1
	keep="$(mktemp /tmp/flp-diff-report.XXXXXX)"
	cp "$TMP/report" "$keep"
	echo "----- differences (all of them in $keep) -----" >&2
	awk '/^=== / { n++; show = n <= 5 } /^--- nondeterministic/ { show = 0 } show' "$TMP/report" |
		head -300 >&2
	echo "----- end of differences -----" >&2
fi

say "${elapsed}s for generating and comparing"
echo "flp differential: $COMPARED queries, $DIFFERENCES differences"
[[ $CRASHES -eq 0 ]] || echo "flp differential: $CRASHES crashes or lost connections" >&2
[[ $FAILED -eq 0 ]] || fail "see above"
echo "ok 55-differential"
