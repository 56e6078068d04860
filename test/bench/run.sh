#!/usr/bin/env bash
# test/bench/run.sh -- flp's benchmark: the cost of flp next to plain PostgreSQL.
#
#   bash test/bench/run.sh            # the full run (1M rows, 3 rounds of 10 s)
#   bash test/bench/run.sh 18         # the same on PostgreSQL 18 (17, 18, 19:
#                                     # in the chroot of test/versions.sh --bench)
#   FLP_BENCH_SMOKE=1 bash test/bench/run.sh   # a few seconds per contender (CI)
#
# Builds and installs flp, starts a tuned throwaway cluster, loads
# test/bench/schema.sql, and runs pgbench (2 clients) for every workload and
# contender side by side, interleaved over several rounds (each round starts
# with another contender), in one run, with every table prewarmed; then
# prints a Markdown table of the median TPS, the spread (min-max) and each
# contender's ratio to plain PostgreSQL (the same query on the ungoverned,
# unscoped table, by the same role) and, for the point selects and the range,
# to the floor (bench.floor_accounts in schema.sql: what any design that masks
# with constants at plan time behind a fail-closed RLS guard pays). Part 2
# (test/bench/catalog.sql) fills the catalog to scale and reports resolution
# and planning costs; before it, test/bench/cpu.py measures the backend's CPU
# time per point select for the point select's contenders.
#
# Settings (environment): FLP_BENCH_ROWS (1000000), FLP_BENCH_ROUNDS (3),
# FLP_BENCH_SECONDS (10), FLP_BENCH_CLIENTS (2), FLP_BENCH_ONLY (a workload
# name), FLP_BENCH_CPU_STATEMENTS (20000 per contender and round, for cpu.py),
# FLP_BENCH_SKIP_CPU=1, FLP_BENCH_SKIP_CATALOG=1, FLP_SKIP_BUILD=1,
# FLP_SKIP_DEPS=1.
# Results also go to test/bench/out/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [[ $# -gt 0 ]]; then
	case "$1" in
	15) export FLP_PG_VERSION=15 ;;
	17 | 18 | 19) exec bash test/versions.sh --bench "$1" ;;
	*) echo "run.sh: unknown version '$1' (15 on the host; 17, 18, 19 in a chroot)" >&2; exit 2 ;;
	esac
fi
ROOT="$PWD"
OUT="$ROOT/test/bench/out"
mkdir -p "$OUT"

if [[ "${FLP_BENCH_SMOKE:-}" == 1 ]]; then
	: "${FLP_BENCH_ROWS:=100000}" "${FLP_BENCH_ROUNDS:=1}" "${FLP_BENCH_SECONDS:=2}"
	: "${FLP_BENCH_CATALOG_ROLES:=1000}" "${FLP_BENCH_CPU_STATEMENTS:=2000}"
fi
CPU_STATEMENTS="${FLP_BENCH_CPU_STATEMENTS:-20000}"
ROWS="${FLP_BENCH_ROWS:-1000000}"
ROUNDS="${FLP_BENCH_ROUNDS:-3}"
SECONDS_EACH="${FLP_BENCH_SECONDS:-10}"
CLIENTS="${FLP_BENCH_CLIENTS:-2}"
PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/${FLP_PG_VERSION:-15}/bin}"

# shellcheck source=test/bench/lib.sh
source test/bench/lib.sh
if [[ "${FLP_BENCH_SKIP_CPU:-}" == 1 ]]; then bench_setup; else bench_setup python3-psycopg; fi
bench_cluster tuned
export PGDATABASE=postgres
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
DB=flp_bench
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
echo "== loading $ROWS rows"
"${PSQL[@]}" -d "$DB" -v rows="$ROWS" -f test/bench/schema.sql >/dev/null

# ------------------------------------------------------------- workloads
# name|mode|role|query (@REL@: the contender's table or view)
WORKLOADS=(
	"point select (simple)|simple|bench_user|\\set id random(1, $ROWS)
SELECT * FROM @REL@ WHERE id = :id;"
	"point select (prepared)|prepared|bench_user|\\set id random(1, $ROWS)
SELECT * FROM @REL@ WHERE id = :id;"
	"1,000-row range (prepared)|prepared|bench_user|\\set id random(1, $((ROWS - 1000)))
SELECT * FROM @REL@ WHERE id BETWEEN :id AND :id + 999;"
	"full scan, aggregates (prepared)|prepared|bench_user|SELECT count(*), max(ssn), max(email), sum(arr) FROM @REL@;"
	"report join via view (prepared)|prepared|bench_user|\\set c random(1, 1000)
SELECT * FROM @REL@ WHERE company_id = :c;"
	"UPDATE editable field (prepared)|prepared|bench_user|\\set id random(1, $ROWS)
UPDATE @REL@ SET note = 'x' WHERE id = :id;"
	"super admin point select (simple)|simple|postgres|\\set id random(1, $ROWS)
SELECT * FROM @REL@ WHERE id = :id;"
	"partner point select (prepared)|prepared|bench_partner|\\set k random(1, $((ROWS / 100)))
SELECT * FROM @REL@ WHERE id = :k * 100;"
	"partner point select (simple)|simple|bench_partner|\\set k random(1, $((ROWS / 100)))
SELECT * FROM @REL@ WHERE id = :k * 100;"
	"partner 1,000-id range (prepared)|prepared|bench_partner|\\set k random(1, $((ROWS / 100 - 10)))
SELECT * FROM @REL@ WHERE id BETWEEN :k * 100 AND :k * 100 + 999;"
)

# The contenders of a workload: label=relation[@role] (the workload's role
# unless given).  For the point selects, the floor's two parts on their own
# (guard: the always-true policies; projection: the dropped column) and flp
# for a reader from whom nothing is hidden (flp-edit) split the cost.
contenders() {
	case "$1" in
	"report join"*) echo "plain=bench.plain_report flp=bench.gov_report" ;;
	"UPDATE"* | "super admin"*) echo "plain=bench.plain_accounts flp=bench.gov_accounts" ;;
	"partner"*) echo "plain=bench.plain_accounts flp=bench.scoped_accounts rls=bench.rls_accounts" ;;
	"point select"*)
		echo "plain=bench.plain_accounts flp=bench.gov_accounts view=bench.masking_view floor=bench.floor_accounts" \
			"guard=bench.guard_accounts projection=bench.projection_accounts flp-edit=bench.gov_accounts@bench_edit" ;;
	"1,000-row range"*)
		echo "plain=bench.plain_accounts flp=bench.gov_accounts view=bench.masking_view floor=bench.floor_accounts" ;;
	*) echo "plain=bench.plain_accounts flp=bench.gov_accounts view=bench.masking_view" ;;
	esac
}

# Run one pgbench; print its TPS.
run_pgbench() {
	local mode="$1" role="$2" script="$3"
	"$PG_BIN/pgbench" -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_EACH" -M "$mode" \
		-U "$role" -f "$script" "$DB" 2>&1 |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p' | head -1
}

RESULTS="$OUT/results.tsv"
: >"$RESULTS"
for ((round = 1; round <= ROUNDS; round++)); do
	echo "== round $round/$ROUNDS"
	for w in "${WORKLOADS[@]}"; do
		IFS='|' read -r -d '' name mode role query <<<"$w" || true
		[[ -z "${FLP_BENCH_ONLY:-}" || "$name" == *"$FLP_BENCH_ONLY"* ]] || continue
		# the contenders in turn first: round r starts at contender r
		read -r -a list <<<"$(contenders "$name")"
		n=${#list[@]}
		for ((i = 0; i < n; i++)); do
			c="${list[$(((i + round - 1) % n))]}"
			label="${c%%=*}"
			rel="${c#*=}"
			who="$role"
			[[ "$rel" != *@* ]] || { who="${rel#*@}"; rel="${rel%@*}"; }
			script="$OUT/script.sql"
			printf '%s\n' "${query//@REL@/$rel}" >"$script"
			tps="$(run_pgbench "$mode" "$who" "$script")"
			[[ -n "$tps" ]] || { echo "pgbench failed for $name / $label" >&2; exit 1; }
			printf '%s\t%s\t%s\n' "$name" "$label" "$tps" >>"$RESULTS"
			printf '   %-36s %-10s %10.0f tps\n' "$name" "$label" "$tps"
		done
	done
done

# ------------------------------------------------------------- the table
TABLE="$OUT/results.md"
{
	echo "| workload | contender | TPS (median) | spread (min-max) | ratio to plain | ratio to floor |"
	echo "|---|---|---:|---:|---:|---:|"
	# median per (workload, contender), in the order of the runs
	awk -F'\t' '
		!(($1 SUBSEP $2) in seen) { seen[$1 SUBSEP $2] = 1; order[++n] = $1 SUBSEP $2 }
		{ k = $1 SUBSEP $2; c[k]++; v[k, c[k]] = $3 }
		END {
			for (i = 1; i <= n; i++) {
				k = order[i]; m = c[k]
				for (a = 1; a <= m; a++) s[a] = v[k, a]
				for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
				med[k] = (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
				lo[k] = s[1]; hi[k] = s[m]
			}
			for (i = 1; i <= n; i++) {
				k = order[i]; split(k, p, SUBSEP)
				base = med[p[1] SUBSEP "plain"]
				floor = med[p[1] SUBSEP "floor"]
				printf "| %s | %s | %.0f | %.0f-%.0f | %.2f | %s |\n", p[1], p[2], med[k], lo[k], hi[k],
					med[k] / base, floor ? sprintf("%.2f", med[k] / floor) : ""
			}
		}' "$RESULTS"
} >"$TABLE"
echo
cat "$TABLE"

# ------------------------------------------------------------- backend CPU
# The backend's own CPU time per simple-protocol point select (what pgbench's
# TPS dilutes with the client's and the kernel's share): test/bench/cpu.py.
if [[ "${FLP_BENCH_SKIP_CPU:-}" != 1 ]]; then
	echo
	echo "== backend CPU time per point select (simple protocol), before the catalog is filled"
	read -r -a list <<<"$(contenders "point select (simple)")"
	/usr/bin/python3 test/bench/cpu.py "$PGHOST" "$PGPORT" "$DB" "$ROWS" "$CPU_STATEMENTS" "$ROUNDS" \
		"${list[@]}" | tee "$OUT/cpu.md"
fi

if [[ "${FLP_BENCH_SKIP_CATALOG:-}" != 1 ]]; then
	echo
	echo "== part 2: the catalog at scale"
	"${PSQL[@]}" -d "$DB" -v roles="${FLP_BENCH_CATALOG_ROLES:-10000}" \
		-f test/bench/catalog.sql | tee "$OUT/catalog.txt"
fi
