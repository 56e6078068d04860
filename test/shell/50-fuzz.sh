#!/usr/bin/env bash
# test/shell/50-fuzz.sh -- canary fuzzing with sqlsmith: random queries run as
# restricted roles against the canary-seeded attack schema must never show a
# canary, crash a backend or raise an internal error.
#
# Builds the database flp_fuzz (CREATE EXTENSION flp, test/attacks/setup.sql,
# test/fuzz/setup-extra.sql: hidden fields of every kind hold canaries; roles
# atk_subject, atk_partner, atk_admin), and flp_fuzz_plain, a copy of it with
# flp dropped (to tell PostgreSQL's own internal errors from flp's).  For each
# seed and each of atk_subject (an internal subject) and atk_partner (a
# partner user), `sqlsmith --dry-run` introspects the database as that role
# (sqlsmith reads information_schema, so it sees the tables the role has
# privileges on) and writes queries; odd seeds use --exclude-catalog (queries
# on the vault schema only), even seeds the system catalogs too.
# test/fuzz/driver.py runs each query as the role in a rolled-back
# transaction with a statement_timeout, the two roles in parallel.
#
# Fails on: a canary of test/attacks/canaries.txt or
# test/fuzz/canaries-extra.txt (or its md5/hex/base64/reversed text, any
# case) in any result, notice or error field; a lost connection or a server
# log line with "terminated by signal", "TRAP:" or "PANIC:"; an error of
# SQLSTATE class XX that the same query does not also raise without flp, or
# any message starting with "flp:"; a query that does not return despite a
# cancel.  Queries matching test/fuzz/deny.txt (sleeps, locks, signals, ...)
# are skipped.  Ends with
#   flp fuzz: N queries (seeds ...) as atk_subject and atk_partner, 0 leaks,
#   0 crashes, 0 internal errors, E ordinary errors
#
# Environment: PGHOST/PGPORT/PGUSER (a superuser) of a cluster that preloads
# flp, as test/run-tests.sh provides (without PGHOST the script starts and
# stops a throwaway cluster of its own); FLP_ROOT, FLP_PG_BIN.
#   FLP_FUZZ_LONG=1          the long run: seeds 1..12, 2500 queries per seed
#                            and role (60,000 queries, 3-7 minutes: run
#                            it alone, `bash test/shell/50-fuzz.sh`, or raise
#                            FLP_TEST_TIMEOUT for test/run-tests.sh)
#   FLP_FUZZ_SEEDS="1 2 3"   seeds (default "1 2 3 4")
#   FLP_FUZZ_QUERIES=N       queries per seed and role (default 1000: 8,000
#                            queries in 25-90 s on 2 cores, by load)
#   FLP_FUZZ_TIMEOUT_MS=N    statement_timeout of each query (default 1000)
# Installs sqlsmith and python3-psycopg (Debian) if missing.  Drops the
# databases and roles it creates.  Exit 0 = pass, 1 = fail.
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
DB=flp_fuzz
PLAIN=flp_fuzz_plain
ROLES=(atk_subject atk_partner)
FUZZ="$FLP_ROOT/test/fuzz"
CANARIES=("$FLP_ROOT/test/attacks/canaries.txt" "$FUZZ/canaries-extra.txt")
if [[ -n "${FLP_FUZZ_LONG:-}" ]]; then
	SEEDS="${FLP_FUZZ_SEEDS:-1 2 3 4 5 6 7 8 9 10 11 12}"
	QUERIES="${FLP_FUZZ_QUERIES:-2500}"
else
	SEEDS="${FLP_FUZZ_SEEDS:-1 2 3 4}"
	QUERIES="${FLP_FUZZ_QUERIES:-1000}"
fi
TIMEOUT_MS="${FLP_FUZZ_TIMEOUT_MS:-1000}"
read -r -a SEED_LIST <<<"$SEEDS"

TMP="$(mktemp -d /tmp/flp-fuzz.XXXXXX)" || exit 1
OWN_CLUSTER=0

say() {
	echo "50-fuzz: $*"
}

fail() {
	echo "FAIL 50-fuzz: $*" >&2
	exit 1
}

drop_all() {
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS $PLAIN WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS atk_etl, atk_subject, atk_admin, atk_partner, atk_viewowner"
}

cleanup() {
	track_kill_all
	drop_all >/dev/null 2>&1
	rm -rf "$TMP"
	[[ $OWN_CLUSTER -eq 0 ]] || flp_cluster_stop
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------------ prerequisites
[[ ${#SEED_LIST[@]} -gt 0 ]] || fail "no seeds"
for s in "${SEED_LIST[@]}"; do
	[[ "$s" =~ ^[0-9]+$ ]] || fail "bad seed '$s'"
done
[[ "$QUERIES" =~ ^[1-9][0-9]*$ ]] || fail "bad FLP_FUZZ_QUERIES '$QUERIES'"
[[ "$TIMEOUT_MS" =~ ^[1-9][0-9]*$ ]] || fail "bad FLP_FUZZ_TIMEOUT_MS '$TIMEOUT_MS'"
flp_deps_ensure sqlsmith python3-psycopg || fail "cannot install sqlsmith and python3-psycopg"
command -v sqlsmith >/dev/null || fail "sqlsmith is not on PATH"
"$PY" -c 'import psycopg' 2>/dev/null || fail "$PY cannot import psycopg"
command -v md5sum >/dev/null || fail "md5sum is missing"

if [[ -z "${PGHOST:-}" ]]; then
	say "no PGHOST: starting a throwaway cluster"
	OWN_CLUSTER=1
	flp_cluster_start "" flp || fail "cannot start a cluster"
fi
export PGUSER="${PGUSER:-postgres}"
[[ "$("${PSQL[@]}" -d postgres -Atc 'SHOW shared_preload_libraries')" == *flp* ]] ||
	fail "the cluster does not preload flp"

# the server log, to look for crashes and assertion failures
SERVER_LOG=""
if [[ -n "${FLP_CLUSTER_DIR:-}" && -f "$FLP_CLUSTER_DIR/log/postgresql.log" ]]; then
	SERVER_LOG="$FLP_CLUSTER_DIR/log/postgresql.log"
else
	datadir="$("${PSQL[@]}" -d postgres -Atc 'SHOW data_directory' 2>/dev/null)"
	[[ -n "$datadir" && -f "$datadir/../log/postgresql.log" ]] &&
		SERVER_LOG="$datadir/../log/postgresql.log"
fi
[[ -n "$SERVER_LOG" ]] ||
	echo "50-fuzz: WARNING: server log not found; crashes are seen as lost connections only" >&2

# ------------------------------------------------------------------ setup
say "setup: $DB (attack schema + test/fuzz/setup-extra.sql) and $PLAIN (a copy without flp)"
drop_all >"$TMP/setup.log" 2>&1 || { cat "$TMP/setup.log" >&2; fail "cannot drop leftovers (is the attack suite's database still there?)"; }
if ! "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB" >>"$TMP/setup.log" 2>&1 ||
	! "${PSQL[@]}" -d "$DB" -c "SET client_min_messages = warning" -c "CREATE EXTENSION flp" \
		-f "$FLP_ROOT/test/attacks/setup.sql" -f "$FUZZ/setup-extra.sql" >>"$TMP/setup.log" 2>&1; then
	cat "$TMP/setup.log" >&2
	fail "setup of $DB"
fi
# the restricted roles' (many) errors need not fill the server log
for role in "${ROLES[@]}"; do
	"${PSQL[@]}" -d postgres -c "ALTER ROLE $role SET log_min_messages = fatal" \
		-c "ALTER ROLE $role SET log_min_error_statement = panic" >>"$TMP/setup.log" 2>&1 ||
		{ cat "$TMP/setup.log" >&2; fail "ALTER ROLE $role"; }
done
# the copy: the same data, privileges and roles, flp dropped
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	if "${PSQL[@]}" -d postgres -c "CREATE DATABASE $PLAIN TEMPLATE $DB" >>"$TMP/setup.log" 2>&1; then
		ok=1
		break
	fi
	sleep 0.5 # the setup session may still be leaving the template
done
if [[ $ok -ne 1 ]] ||
	! "${PSQL[@]}" -d "$PLAIN" -c "DROP EXTENSION flp CASCADE" >>"$TMP/setup.log" 2>&1; then
	cat "$TMP/setup.log" >&2
	fail "setup of $PLAIN"
fi

# ------------------------------------------------------------------ sanity
# The canaries are really there, flp masks them for both roles, and the copy
# is really without flp: otherwise the run proves nothing.
: >"$TMP/canaries"
for f in "${CANARIES[@]}"; do
	grep -v -e '^#' -e '^[[:space:]]*$' "$f" >>"$TMP/canaries"
done
# visible_to ROLE: the canaries ROLE may see (test/fuzz/visible.txt)
visible_to() {
	awk -v r="$1" '$1 == r { print $2 }' "$FUZZ/visible.txt"
}
for role in "${ROLES[@]}"; do
	grep -v -x -F -f <(visible_to "$role"; echo "-none-") "$TMP/canaries" >"$TMP/canaries-$role"
done
rows_sql="SELECT t::text FROM vault.acct t UNION ALL SELECT t::text FROM vault.typed t
	UNION ALL SELECT t::text FROM vault.inh_base t UNION ALL SELECT t::text FROM vault.inh_child t
	UNION ALL SELECT t::text FROM vault.ruled t UNION ALL SELECT t::text FROM vault.company t"
super_rows="$("${PSQL[@]}" -At -d "$DB" -c "$rows_sql" 2>&1)" || fail "superuser read: $super_rows"
while IFS= read -r c; do
	[[ "$super_rows" == *"$c"* ]] || fail "canary '$c' of canaries-extra.txt is not in the data"
done < <(grep -v -e '^#' -e '^[[:space:]]*$' "$FUZZ/canaries-extra.txt")
[[ "$super_rows" == *CNRY_TXT_5e1d* ]] || fail "the attack schema's canaries are not in the data"
for role in "${ROLES[@]}"; do
	rows="$("${PSQL[@]}" -At -U "$role" -d "$DB" -c "$rows_sql" 2>&1)" || fail "$role read: $rows"
	if grep -q -i -F -f "$TMP/canaries-$role" <<<"$rows"; then
		fail "$role reads a canary in plain sight: $(grep -i -F -f "$TMP/canaries-$role" <<<"$rows" | head -3)"
	fi
	[[ "$rows" == *'****'* ]] || fail "no masks for $role: $rows"
done
rows="$("${PSQL[@]}" -At -U atk_partner -d "$DB" -c "SELECT name FROM vault.company")" || fail "partner read"
[[ "$rows" == "visible company" ]] || fail "atk_partner should see only its company, sees: $rows"
rows="$("${PSQL[@]}" -At -U atk_subject -d "$PLAIN" -c "SELECT secret FROM vault.acct WHERE id = 1")" ||
	fail "read in $PLAIN"
[[ "$rows" == CNRY_TXT_5e1d ]] || fail "$PLAIN still masks (flp not dropped?): $rows"
# the driver sees a leak when there is one: a super admin reads the canaries
printf 'select * from vault.acct;\nselect vault.pl_notice(secret) from vault.acct;\n' >"$TMP/control.sql"
"$PY" "$FUZZ/driver.py" --role atk_admin --conninfo "host=$PGHOST port=$PGPORT dbname=$DB user=atk_admin" \
	--corpus "$TMP/control.sql" --canaries "${CANARIES[0]}" --canaries "${CANARIES[1]}" \
	--findings "$TMP/control.find" --stats "$TMP/control.stats" >"$TMP/control.out" 2>&1 ||
	fail "driver.py: $(tail -5 "$TMP/control.out")"
grep -q '^queries=2 .*leaks=2 ' "$TMP/control.stats" ||
	fail "the driver does not see a super admin's reads as leaks: $(head -1 "$TMP/control.stats")"

# ------------------------------------------------------------------ fuzzing
LOG_OFFSET=0
[[ -z "$SERVER_LOG" ]] || LOG_OFFSET="$(stat -c %s "$SERVER_LOG")"

# fuzz_role ROLE: generate a corpus per seed (introspecting as ROLE), run them.
fuzz_role() {
	local role="$1" seed corpora=() args out c visible=()
	while IFS= read -r c; do
		visible+=(--visible "$c")
	done < <(visible_to "$role")
	for seed in "${SEED_LIST[@]}"; do
		out="$TMP/corpus-$role-$seed.sql"
		args=(--dry-run --max-queries="$QUERIES" --seed="$seed"
			--target="host=$PGHOST port=$PGPORT dbname=$DB user=$role")
		((seed % 2 == 1)) && args+=(--exclude-catalog)
		if ! track "gen-$role-$seed" timeout 300 sqlsmith "${args[@]}" >"$out" 2>"$out.err"; then
			echo "sqlsmith failed for $role, seed $seed: $(tail -3 "$out.err")" >"$TMP/$role.fail"
			return 1
		fi
		corpora+=(--corpus "$out")
	done
	if ! track "run-$role" "$PY" "$FUZZ/driver.py" --role "$role" \
		--conninfo "host=$PGHOST port=$PGPORT dbname=$DB user=$role application_name=flp_fuzz" \
		--plain-conninfo "host=$PGHOST port=$PGPORT dbname=$PLAIN user=$role application_name=flp_fuzz" \
		--admin-conninfo "host=$PGHOST port=$PGPORT dbname=$DB user=atk_admin application_name=flp_fuzz" \
		"${corpora[@]}" --canaries "${CANARIES[0]}" --canaries "${CANARIES[1]}" "${visible[@]}" \
		--deny "$FUZZ/deny.txt" --timeout-ms "$TIMEOUT_MS" \
		--findings "$TMP/$role.findings" --stats "$TMP/$role.stats" >"$TMP/$role.out" 2>&1; then
		echo "driver.py failed for $role: $(tail -5 "$TMP/$role.out")" >"$TMP/$role.fail"
		return 1
	fi
}

say "seeds ${SEED_LIST[*]}, $QUERIES queries per seed and role, statement_timeout ${TIMEOUT_MS}ms"
start=$SECONDS
for role in "${ROLES[@]}"; do
	fuzz_role "$role" &
done
wait
elapsed=$((SECONDS - start))
# the same seeds give the same queries on the same schema: compare this with
# other runs to see that a run is reproducible
say "corpus md5: $(cat "$TMP"/corpus-*.sql 2>/dev/null | md5sum | cut -c1-12)"

# ------------------------------------------------------------------ verdict
FAILED=0
TOTAL=0 LEAKS=0 CRASHES=0 INTERNAL=0 HANGS=0 ERRORS=0 FILTERED=0 PG_INTERNAL=0
stat_of() { # stat_of FILE KEY
	sed -n "1s/.*\b$2=\([0-9]*\).*/\1/p" "$1"
}
for role in "${ROLES[@]}"; do
	if [[ -f "$TMP/$role.fail" ]]; then
		cat "$TMP/$role.fail" >&2
		FAILED=1
		continue
	fi
	st="$TMP/$role.stats"
	[[ -s "$st" ]] || { echo "no statistics for $role" >&2; FAILED=1; continue; }
	q="$(stat_of "$st" queries)" filtered="$(stat_of "$st" filtered)"
	expected=$((QUERIES * ${#SEED_LIST[@]}))
	if [[ "$q" -ne "$expected" ]]; then
		echo "$role: sqlsmith wrote $q queries, expected $expected" >&2
		FAILED=1
	fi
	run=$((q - filtered))
	TOTAL=$((TOTAL + run))
	FILTERED=$((FILTERED + filtered))
	LEAKS=$((LEAKS + $(stat_of "$st" leaks)))
	CRASHES=$((CRASHES + $(stat_of "$st" crashes)))
	INTERNAL=$((INTERNAL + $(stat_of "$st" internal)))
	HANGS=$((HANGS + $(stat_of "$st" hangs)))
	ERRORS=$((ERRORS + $(stat_of "$st" errors)))
	PG_INTERNAL=$((PG_INTERNAL + $(stat_of "$st" pg_internal)))
	printf '  %s: %d run (%d filtered): %d ok, %d of them on vault objects; %d errors (%d refused 42501, %d timeouts)\n' \
		"$role" "$run" "$filtered" "$(stat_of "$st" ok)" "$(stat_of "$st" vault_ok)" \
		"$(stat_of "$st" errors)" "$(stat_of "$st" refused)" "$(stat_of "$st" timeouts)"
	echo "    SQLSTATEs: $(sed -n '2s/^sqlstates //p' "$st" | cut -d' ' -f1-12)"
	if [[ "$(stat_of "$st" vault_ok)" -eq 0 ]]; then
		echo "$role: no query on a vault object ran without error: the run proves nothing" >&2
		FAILED=1
	fi
done

# the server log: crashes, failed assertions, panics
LOG_CRASHES=0
if [[ -n "$SERVER_LOG" ]]; then
	tail -c +"$((LOG_OFFSET + 1))" "$SERVER_LOG" |
		grep -a -E 'terminated by signal|was terminated by exception|TRAP:|PANIC:' >"$TMP/log-problems"
	if [[ -s "$TMP/log-problems" ]]; then
		LOG_CRASHES="$(wc -l <"$TMP/log-problems")"
		echo "server log:" >&2
		head -20 "$TMP/log-problems" >&2
		[[ $CRASHES -gt 0 ]] || CRASHES=$LOG_CRASHES
	fi
fi

cat "$TMP"/*.findings >"$TMP/findings" 2>/dev/null
if [[ $PG_INTERNAL -gt 0 ]]; then
	echo "  $PG_INTERNAL PostgreSQL-internal errors that occur without flp too (not counted against flp):"
	grep -a -A1 '^=== NOTE' "$TMP/findings" | grep -a -o 'XX[0-9A-Z]\{3\} .*' | sort | uniq -c | head -10
fi
if [[ $LEAKS -gt 0 || $CRASHES -gt 0 || $INTERNAL -gt 0 || $HANGS -gt 0 ]]; then
	FAILED=1
	keep="$(mktemp /tmp/flp-fuzz-findings.XXXXXX)"
	cp "$TMP/findings" "$keep"
	echo "----- findings (all of them in $keep) -----" >&2
	awk '/^=== (LEAK|CRASH|INTERNAL|HANG)/ { n++; show = n <= 5 } /^=== NOTE/ { show = 0 } show' \
		"$TMP/findings" | head -200 >&2
	echo "----- end of findings -----" >&2
fi

say "${elapsed}s for generating and running"
seeds_csv="$(IFS=,; echo "${SEED_LIST[*]}")"
echo "flp fuzz: $TOTAL queries (seeds $seeds_csv) as ${ROLES[0]} and ${ROLES[1]}, $LEAKS leaks, $CRASHES crashes, $INTERNAL internal errors, $ERRORS ordinary errors"
if [[ $HANGS -gt 0 ]]; then
	echo "flp fuzz: $HANGS queries did not return despite a cancel" >&2
fi
[[ $FAILED -eq 0 ]] || fail "see above"
echo "ok 50-fuzz"
