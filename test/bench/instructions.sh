#!/usr/bin/env bash
# test/bench/instructions.sh -- what one query costs flp, counted in CPU
# instructions rather than timed: deterministic, unlike pgbench on a shared VM.
#
#   bash test/bench/instructions.sh
#
# Loads test/bench/schema.sql (100,000 rows) into a throwaway cluster, stops
# it, then runs a single-user backend under callgrind twice per contender:
# once with FEW and once with MANY statements (each its own transaction, the
# simple protocol's parse, analyze, rewrite, plan and execute).  The
# difference divided by MANY - FEW is the cost of one statement, with start-up
# and warm-up cancelled out.  Prints a Markdown table of instructions per
# statement and the ratio of plain to each contender (instructions are cost,
# so the ratio reads like a TPS ratio: 1.00 = no cost); the plain point
# select's own ratio is to the same statement in a database without flp, run
# by a backend without flp loaded, and a super admin's is to the super
# admin's on the plain table.  The single-user backend prints every row
# through debugtup, which costs more than the wire protocol's printtup: the
# base is larger, the ratios kinder than pgbench's.  Its prepared statements
# run by SQL EXECUTE, whose rows go through the portal's tuplestore: a
# projected row (constant masks, the floor's dropped column) is formed into a
# new tuple there, which a row passed on from the scan is not, so projection
# costs more here than over the protocol's Bind/Execute (pgbench -M prepared).
#
# Settings (environment): FLP_INSTR_FEW (200), FLP_INSTR_MANY (1200),
# FLP_INSTR_ONLY (a substring of the statement names), FLP_SKIP_BUILD=1,
# FLP_SKIP_DEPS=1.  Needs valgrind (installed when missing).  The callgrind
# profiles of each case are kept in test/bench/out/callgrind.NAME.{few,many}
# for callgrind_annotate.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
OUT="$ROOT/test/bench/out"
mkdir -p "$OUT"
FEW="${FLP_INSTR_FEW:-200}"
MANY="${FLP_INSTR_MANY:-1200}"
ROWS=100000
PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/${FLP_PG_VERSION:-15}/bin}"

# shellcheck source=test/bench/lib.sh
source test/bench/lib.sh
bench_setup valgrind
bench_cluster plain
DIR="$FLP_CLUSTER_DIR"
DB=flp_bench
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -v rows="$ROWS" -f test/bench/schema.sql >/dev/null
# a database without the extension, with the same plain table, for flp not
# loaded at all (its backend runs without shared_preload_libraries)
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE flp_bench_noext"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d flp_bench_noext \
	-c "CREATE SCHEMA bench" -c "GRANT USAGE ON SCHEMA bench TO bench_user"
"$PG_BIN/pg_dump" -t bench.plain_accounts --schema-only "$DB" |
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d flp_bench_noext >/dev/null
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "COPY bench.plain_accounts TO STDOUT" |
	"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d flp_bench_noext -c "COPY bench.plain_accounts FROM STDIN"
"$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d flp_bench_noext -c "VACUUM ANALYZE"
_flp_as_pg "$DIR" "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null

# name|role|statement (@K@: a key)|setup (run first, once)|where ("noext":
# the database without flp, in a backend without flp loaded)
CASES=(
	"point select, plain without flp|bench_user|SELECT * FROM bench.plain_accounts WHERE id = @K@;||noext"
	"point select, plain|bench_user|SELECT * FROM bench.plain_accounts WHERE id = @K@;"
	"point select, flp|bench_user|SELECT * FROM bench.gov_accounts WHERE id = @K@;"
	"point select, masking view|bench_user|SELECT * FROM bench.masking_view WHERE id = @K@;"
	"point select, floor|bench_user|SELECT * FROM bench.floor_accounts WHERE id = @K@;"
	"point select, guard only|bench_user|SELECT * FROM bench.guard_accounts WHERE id = @K@;"
	"point select, projection only|bench_user|SELECT * FROM bench.projection_accounts WHERE id = @K@;"
	"point select, flp nothing hidden|bench_edit|SELECT * FROM bench.gov_accounts WHERE id = @K@;"
	"point select, plain super admin|postgres|SELECT * FROM bench.plain_accounts WHERE id = @K@;"
	"point select, flp super admin|postgres|SELECT * FROM bench.gov_accounts WHERE id = @K@;"
	"prepared point select, plain|bench_user|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.plain_accounts WHERE id = \$1;"
	"prepared point select, flp|bench_user|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.gov_accounts WHERE id = \$1;"
	"prepared point select, floor|bench_user|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.floor_accounts WHERE id = \$1;"
	"prepared point select, guard only|bench_user|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.guard_accounts WHERE id = \$1;"
	"prepared point select, projection only|bench_user|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.projection_accounts WHERE id = \$1;"
	"prepared point select, flp nothing hidden|bench_edit|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.gov_accounts WHERE id = \$1;"
	"UPDATE, plain|bench_user|UPDATE bench.plain_accounts SET note = 'x' WHERE id = @K@;"
	"UPDATE, flp|bench_user|UPDATE bench.gov_accounts SET note = 'x' WHERE id = @K@;"
	"prepared UPDATE, plain|bench_user|EXECUTE u(@K@);|PREPARE u(int) AS UPDATE bench.plain_accounts SET note = 'x' WHERE id = \$1;"
	"prepared UPDATE, flp|bench_user|EXECUTE u(@K@);|PREPARE u(int) AS UPDATE bench.gov_accounts SET note = 'x' WHERE id = \$1;"
	"partner point select, plain|bench_partner|SELECT * FROM bench.plain_accounts WHERE id = @K@ * 100;"
	"partner point select, flp|bench_partner|SELECT * FROM bench.scoped_accounts WHERE id = @K@ * 100;"
	"partner point select, rls|bench_partner|SELECT * FROM bench.rls_accounts WHERE id = @K@ * 100;"
	"prepared partner point select, plain|bench_partner|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.plain_accounts WHERE id = \$1 * 100;"
	"prepared partner point select, flp|bench_partner|EXECUTE p(@K@);|PREPARE p(int) AS SELECT * FROM bench.scoped_accounts WHERE id = \$1 * 100;"
)

# Instructions of a single-user backend running N statements of CASE.
count() {
	local role="$1" stmt="$2" setup="$3" where="$4" n="$5" input="$DIR/input.sql" cg="$DIR/callgrind.out" k
	local db="$DB" preload=flp
	[[ "$where" != noext ]] || { db=flp_bench_noext; preload=""; }
	{
		[[ "$role" == postgres ]] || echo "SET ROLE $role;"
		[[ -z "$setup" ]] || echo "$setup"
		for ((k = 1; k <= n; k++)); do
			echo "${stmt//@K@/$((k * 37 % 997 + 1))}"
		done
	} >"$input"
	rm -f "$cg"
	chown postgres: "$input" "$DIR" 2>/dev/null || true
	_flp_as_pg "$DIR" valgrind --tool=callgrind --callgrind-out-file="$cg" \
		"$PG_BIN/postgres" --single -D "$DIR/data" -c shared_preload_libraries="$preload" \
		-c jit=off "$db" <"$input" >"$DIR/single.log" 2>&1
	if grep -q "ERROR" "$DIR/single.log"; then
		grep -m3 ERROR "$DIR/single.log" >&2
		return 1
	fi
	local total
	total="$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$cg" 2>/dev/null)"
	if [[ -z "$total" || "$total" -le 0 ]]; then
		echo "instructions.sh: no instruction count from the backend; its output:" >&2
		tail -n 20 "$DIR/single.log" >&2
		return 1
	fi
	echo "$total"
}

TABLE="$OUT/instructions.md"
{
	echo "| statement | instructions per statement | ratio (plain / this) |"
	echo "|---|---:|---:|"
} >"$TABLE"
declare -A PER
for c in "${CASES[@]}"; do
	IFS='|' read -r name role stmt setup where <<<"$c"
	[[ -z "${FLP_INSTR_ONLY:-}" || "$name" == *"$FLP_INSTR_ONLY"* ]] || continue
	slug="$(echo "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9\n' '_')"
	few="$(count "$role" "$stmt" "$setup" "$where" "$FEW")" || exit 1
	cp "$DIR/callgrind.out" "$OUT/callgrind.$slug.few"
	many="$(count "$role" "$stmt" "$setup" "$where" "$MANY")" || exit 1
	per=$(((many - few) / (MANY - FEW)))
	if [[ "$per" -le 0 ]]; then
		echo "instructions.sh: $name: $MANY statements cost no more than $FEW ($many, $few instructions): the statements did not run; the backend's output:" >&2
		tail -n 20 "$DIR/single.log" >&2
		exit 1
	fi
	PER["$name"]="$per"
	base="${PER["${name%%, *}, plain"]:-$per}"
	# a super admin's query on the governed table against the same role's on the plain one
	[[ "$name" == "point select, plain super admin" ]] && base="$per"
	[[ "$name" == "point select, flp super admin" ]] && base="${PER["point select, plain super admin"]:-$per}"
	# plain with flp loaded (and installed) against plain without flp at all
	[[ "$name" == "point select, plain" ]] && base="${PER["point select, plain without flp"]:-$per}"
	awk -v n="$name" -v p="$per" -v b="$base" 'BEGIN { printf "| %s | %d | %.3f |\n", n, p, b / p }' >>"$TABLE"
	cp "$DIR/callgrind.out" "$OUT/callgrind.$slug.many"
	echo "   $name: $per instructions" >&2
done
echo
cat "$TABLE"
