#!/usr/bin/env bash
# test/shell/90-bench-smoke.sh -- the benchmark harness works: a short run of
# test/bench/run.sh (FLP_BENCH_SMOKE: 100,000 rows, one round, 1 s per
# contender, 1,000 roles in the catalog part) must produce a TPS for every
# workload and contender, a backend CPU time for every point select contender
# and the catalog-at-scale report.  It asserts that the harness runs, never a
# speed: the numbers of a smoke run on a shared CI machine mean nothing (see
# the README's Performance section for real runs).
# Starts its own throwaway cluster. Exit 0 = pass, 1 = fail.
set -uo pipefail

NAME=90-bench-smoke
fail() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

OUT="$FLP_ROOT/test/bench/out"
rm -f "$OUT/results.md" "$OUT/catalog.txt" "$OUT/cpu.md"
START=$SECONDS
log="$(FLP_SKIP_DEPS=1 FLP_SKIP_BUILD=1 FLP_BENCH_SMOKE=1 FLP_BENCH_SECONDS="${FLP_BENCH_SECONDS:-1}" \
	bash "$FLP_ROOT/test/bench/run.sh" 2>&1)" || fail "test/bench/run.sh failed: $(tail -5 <<<"$log")"

[[ -s "$OUT/results.md" ]] || fail "no results table in $OUT/results.md"
# 10 workloads: 2 point selects with plain/flp/view/floor/guard/projection/
# flp-edit, the range with plain/flp/view/floor, 4 with plain/flp(/view)
# (the super admin's point select among them), 3 partner ones with
# plain/flp/rls
rows="$(grep -c '^| [a-zA-Z0-9,]' "$OUT/results.md")"
rows=$((rows - 1)) # the header row
[[ "$rows" -eq 36 ]] || fail "expected 36 (workload, contender) rows, got $rows: $(cat "$OUT/results.md")"
floors="$(awk -F'|' '$3 ~ /^ *floor *$/ && $7 ~ /^ *1\.00 *$/' "$OUT/results.md" | wc -l)"
[[ "$floors" -eq 3 ]] || fail "expected 3 floor rows with a ratio to floor of 1.00: $(cat "$OUT/results.md")"
bad="$(awk -F'|' 'NR > 2 && !($4 ~ /^ *[0-9]+ *$/ && $4 + 0 > 0 && $6 ~ /^ *[0-9]+\.[0-9][0-9] *$/)' "$OUT/results.md")"
[[ -z "$bad" ]] || fail "rows without a positive TPS and a ratio: $bad"
for contender in plain flp view rls floor guard projection flp-edit; do
	grep -q "| $contender |" "$OUT/results.md" || fail "no row for contender $contender"
done
# the backend CPU part: a time and a ratio for each point select contender
cpu_rows="$(grep -cE '^\| [a-z-]+ \| [0-9]+\.[0-9] \| [0-9.]+-[0-9.]+ \| [0-9]\.[0-9]{3} \|$' "$OUT/cpu.md" 2>/dev/null)"
[[ "$cpu_rows" -eq 7 ]] || fail "expected 7 contenders in the backend CPU table: $(cat "$OUT/cpu.md" 2>/dev/null)"
cat_out="$(cat "$OUT/catalog.txt" 2>/dev/null)"
for what in "cold resolution" "warm lookup" "planning SELECT" "flp permission cache"; do
	[[ "$cat_out" == *"$what"* ]] || fail "the catalog report lacks '$what'"
done
grep -q " 1000 |  *1000 |  *100 |  *100000 |" <<<"$cat_out" ||
	grep -qE "^ +[0-9]+ \| +1000 \| +100 \| +100000 \|" <<<"$cat_out" ||
	fail "the catalog part did not fill 1,000 bundles, 100 tables and 100,000 field settings: $cat_out"

echo "ok $NAME: 36 (workload, contender) TPS rows, 7 backend CPU rows and the catalog-at-scale report ($((SECONDS - START))s)"
sed 's/^/  /' "$OUT/results.md" "$OUT/cpu.md"
