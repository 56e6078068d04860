#!/usr/bin/env bash
# test/bench/profile.sh -- where a simple-protocol point select's CPU goes,
# sampled by perf in the backend that runs it.
#
#   bash test/bench/profile.sh
#
# Loads test/bench/schema.sql (100,000 rows) into a throwaway cluster, then
# for each contender (plain, flp, guard: the tables of the benchmark's point
# selects) runs one pgbench client of simple-protocol point selects and
# samples that client's backend with `perf record -e cpu-clock` (software
# clock: virtual machines rarely expose hardware counters) for
# FLP_PROFILE_SECONDS (12).  Prints each contender's share per shared object,
# flp.so's functions on the governed table, and the symbols whose share grew
# most from plain to flp.  The profiles stay in test/bench/out/perf.NAME.data
# for `perf report -i`.  Samples are percentages of the backend's own time
# (kernel included): a comparison between contenders of one run, not a timing.
#
# Settings (environment): FLP_PROFILE_SECONDS, FLP_SKIP_BUILD=1,
# FLP_SKIP_DEPS=1.  Needs perf (linux-perf, installed when missing) and root
# or a kernel.perf_event_paranoid that lets the caller sample another process.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT="$PWD/test/bench/out"
mkdir -p "$OUT"
SECONDS_EACH="${FLP_PROFILE_SECONDS:-12}"
ROWS=100000
PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/${FLP_PG_VERSION:-15}/bin}"

# shellcheck source=test/bench/lib.sh
source test/bench/lib.sh
if command -v perf >/dev/null; then bench_setup; else bench_setup linux-perf; fi
bench_cluster tuned
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
DB=flp_bench
"${PSQL[@]}" -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" -v rows="$ROWS" -f test/bench/schema.sql >/dev/null

# name=relation
CONTENDERS=(plain=bench.plain_accounts flp=bench.gov_accounts guard=bench.guard_accounts)

# The backend of the one pgbench client now connected as bench_user.
backend_pid() {
	"${PSQL[@]}" -At -d "$DB" -c "SELECT pid FROM pg_stat_activity
		WHERE usename = 'bench_user' AND application_name = 'pgbench'"
}

for c in "${CONTENDERS[@]}"; do
	name="${c%%=*}" rel="${c#*=}"
	printf '\\set id random(1, %d)\nSELECT * FROM %s WHERE id = :id;\n' "$ROWS" "$rel" \
		>"$OUT/profile.$name.sql"
	"$PG_BIN/pgbench" -n -c 1 -M simple -T $((SECONDS_EACH + 6)) -U bench_user \
		-f "$OUT/profile.$name.sql" "$DB" >"$OUT/profile.$name.log" 2>&1 &
	bench=$!
	pid=""
	for _ in $(seq 1 50); do
		sleep 0.1
		pid="$(backend_pid)"
		[[ -z "$pid" ]] || break
	done
	[[ "$pid" =~ ^[0-9]+$ ]] || { echo "profile.sh: no pgbench backend for $name" >&2; exit 1; }
	sleep 2
	perf record -q -e cpu-clock -F 10000 -g -p "$pid" -o "$OUT/perf.$name.data" \
		-- sleep "$SECONDS_EACH" 2>/dev/null
	wait "$bench"
	perf report -i "$OUT/perf.$name.data" --no-children --sort dso,sym -g none 2>/dev/null |
		awk '/^ *[0-9.]+%/ { p = $1; sub("%", "", p); $1 = ""; sub(/^ +/, ""); print p "\t" $0 }' \
			>"$OUT/perf.$name.symbols"
	echo "$name: $(grep -m 1 -o 'tps = [0-9.]*' "$OUT/profile.$name.log") (one client, while sampled)"
done

echo
head="| shared object |" rule="|---|"
for c in "${CONTENDERS[@]}"; do
	head="$head ${c%%=*} |" rule="$rule---:|"
done
printf '%s\n%s\n' "$head" "$rule"
for dso in postgres '[kernel.kallsyms]' libc.so.6 flp.so; do
	row="| $dso |"
	for c in "${CONTENDERS[@]}"; do
		share="$(awk -F'\t' -v d="$dso" 'index($2, d " ") == 1 { s += $1 } END { printf "%.2f%%", s }' \
			"$OUT/perf.${c%%=*}.symbols")"
		row="$row $share |"
	done
	echo "$row"
done

echo
echo "flp.so's functions on the governed table (share of the backend's samples):"
awk -F'\t' 'index($2, "flp.so ") == 1 { printf "  %6.2f%%  %s\n", $1, $2 }' "$OUT/perf.flp.symbols" |
	sed 's/flp.so *\[\.\] //' | awk 'NR <= 15'

echo
echo "symbols whose share grew most from plain to flp (plain -> flp):"
awk -F'\t' 'NR == FNR { a[$2] = $1; next } { b[$2] = $1 }
	END { for (s in b) { d = b[s] - a[s]; if (d > 0) printf "%.2f\t%.2f\t%.2f\t%s\n", d, a[s], b[s], s } }' \
	"$OUT/perf.plain.symbols" "$OUT/perf.flp.symbols" |
	sort -rn | awk -F'\t' 'NR <= 12 { printf "  +%5.2f  %5.2f%% -> %5.2f%%  %s\n", $1, $2, $3, $4 }'
