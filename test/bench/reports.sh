#!/usr/bin/env bash
# test/bench/reports.sh -- what flp costs the queries of reports and BI tools,
# next to plain PostgreSQL in the same run (test/bench/reports.sql's schema).
#
#   bash test/bench/reports.sh                 # everything (about 15 minutes)
#   FLP_BENCH_SMOKE=1 bash test/bench/reports.sh   # the harness works (CI): a
#                                              # few cases, few statements, no table
#
# Planning and statement costs are counted in CPU instructions (callgrind,
# single-user backend, the cluster stopped): each case runs FEW and MANY
# times, and (MANY - FEW) / (MANY - FEW) statements' difference is one
# statement's cost, start-up cancelled out.  "plan" cases count only
# pg_plan_query (callgrind --toggle-collect): parse and analysis are the
# same for both contenders, execution is not counted (flp refuses EXPLAIN of
# governed tables to subjects, so the statements run; a report's LIMIT 100
# keeps their output short).  "all" cases count the whole
# statement.  The workloads:
#   star joins, INNER and LEFT, of the fact table and n - 1 dimensions
#     (n = 1, 2, 4, 8, 16), every column selected, LIMIT 100: planning
#   a join with a 10,000-row VALUES list: planning; and the same on a plain
#     table with flp loaded against a backend without flp at all
#   1,000 partitions: a point select on a partition the backend has not
#     touched yet (a new one per statement)
#   a point select right after an invalidation that concerns another table
#     (a permission change, an ALTER TABLE), by a role with 1 and with 100
#     bundles, each statement counted on its own (callgrind --dump-after):
#     against a plain point select without invalidations
#   the backend's memory after touching 100 tables of 50 columns (pgbench
#     not involved: one session each, pg_backend_memory_contexts)
#   a change storm: 16 clients running the 16-table LEFT report (pgbench,
#     prepared), with a permission change every 100 ms and without; the
#     ratio is storm / no storm, for flp and for plain
# The ratios are plain / flp for costs (1.00: flp costs nothing; a target
# of "<= 1.10 times plain" is a ratio >= 0.91) and storm / no storm for
# throughput.  Results: test/bench/out/reports.md.
#
# Settings (environment): FLP_REP_FEW (5), FLP_REP_MANY (25) statements of
# the planning cases, FLP_REP_ONLY (a substring of the case names),
# FLP_REP_STORM_SECONDS (20), FLP_REP_SKIP_STORM=1, FLP_SKIP_BUILD=1,
# FLP_SKIP_DEPS=1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT="$PWD"
OUT="$ROOT/test/bench/out"
mkdir -p "$OUT"
SMOKE="${FLP_BENCH_SMOKE:-}"
FEW="${FLP_REP_FEW:-5}"
MANY="${FLP_REP_MANY:-25}"
STORM_SECONDS="${FLP_REP_STORM_SECONDS:-20}"
if [[ "$SMOKE" == 1 ]]; then
	FEW=1 MANY=3 STORM_SECONDS=2
fi
PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/${FLP_PG_VERSION:-15}/bin}"

# shellcheck source=test/bench/lib.sh
source test/bench/lib.sh
bench_setup valgrind
bench_cluster plain
DIR="$FLP_CLUSTER_DIR"
DB=flp_rep
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "CREATE DATABASE $DB"
echo "== loading the reporting schema" >&2
"${PSQL[@]}" -d "$DB" -f test/bench/reports.sql >/dev/null
# the plain fact table in a database without flp, for a backend without flp
"${PSQL[@]}" -c "CREATE DATABASE ${DB}_noext"
"${PSQL[@]}" -d "${DB}_noext" -c "CREATE SCHEMA rep" -c "GRANT USAGE ON SCHEMA rep TO rep_user"
"$PG_BIN/pg_dump" -t rep.p1 "$DB" | "${PSQL[@]}" -d "${DB}_noext" >/dev/null
"${PSQL[@]}" -d "${DB}_noext" -c "VACUUM ANALYZE"

TABLE="$OUT/reports.md"
{
	echo "| workload | plain | flp | ratio (plain / flp) |"
	echo "|---|---:|---:|---:|"
} >"$TABLE"
row() { # NAME PLAIN FLP UNIT [RATIO]
	local ratio="${5:-}"
	[[ -n "$ratio" ]] || ratio="$(awk -v p="$2" -v f="$3" 'BEGIN { printf "%.3f", p / f }')"
	printf '| %s | %s %s | %s %s | %s |\n' "$1" "$2" "$4" "$3" "$4" "$ratio" >>"$TABLE"
	echo "   $1: plain $2, flp $3 $4, ratio $ratio" >&2
}
wanted() { [[ -z "${FLP_REP_ONLY:-}" || "$1" == *"$FLP_REP_ONLY"* ]]; }

# ------------------------------------------------------------ the queries
# star KIND N PREFIX: the fact table and N - 1 dimensions, every column
star() {
	local kind="$1" n="$2" p="$3" i sel="t1.*" from
	from="rep.${p}1 t1"
	for ((i = 2; i <= n; i++)); do
		sel+=", t$i.*"
		from+=" $kind JOIN rep.$p$i t$i ON t$i.id = t1.d$i"
	done
	echo "SELECT $sel FROM $from LIMIT 100"
}
# values_join PREFIX: a 10,000-row VALUES list joined to the fact table
values_join() {
	local v
	v="$(seq 1 10000 | sed 's/.*/(&)/' | paste -sd,)"
	echo "SELECT t.id, t.c3, t.d2 FROM (VALUES $v) v(x) JOIN rep.${1}1 t ON t.id = v.x LIMIT 100"
}

# ---------------------------------------------------- memory (cluster up)
# memory PREFIX: bytes of the backend's memory contexts after reading the 100
# tables of 50 columns as rep_user, less those of a session that read none
memory() {
	local sql="SET ROLE rep_user;" i
	if [[ -n "$1" ]]; then
		for ((i = 1; i <= 100; i++)); do sql+=" SELECT * FROM rep.$1$i WHERE id = 1;"; done
	fi
	sql+=" RESET ROLE; SELECT sum(total_bytes) FROM pg_backend_memory_contexts;"
	"${PSQL[@]}" -d "$DB" -At <<<"$sql" | tail -n 1
}
if wanted "memory"; then
	echo "== memory" >&2
	base="$(memory "")"
	mem_plain="$(memory n)"
	mem_flp="$(memory m)"
	kb_plain=$(((mem_plain - base) / 100 / 1024))
	kb_flp=$(((mem_flp - base) / 100 / 1024))
	row "backend memory per table of 50 columns read (100 tables)" "$kb_plain" "$kb_flp" KB \
		"+$(((mem_flp - mem_plain) / 100 / 1024)) KB per governed table"
fi

# ------------------------------------------------ change storm (cluster up)
# tps PREFIX STORM: pgbench's TPS of the 16-table LEFT report (one fact row)
tps() {
	local script="$DIR/report.sql" loop=""
	{ echo "\\set id random(1, 10000)"; echo "$(star LEFT 16 "$1" | sed 's/ LIMIT 100$//') WHERE t1.id = :id;"; } >"$script"
	chown postgres: "$script" 2>/dev/null || true
	if [[ "$2" == storm ]]; then
		(
			k=0
			while :; do
				perm=hide; ((k++ % 2)) && perm=read
				"${PSQL[@]}" -d "$DB" -c "SELECT flp.set_permission('rep', 'rep.other', 'c1', '$perm')" >/dev/null
				sleep 0.1
			done
		) &
		loop=$!
	fi
	PGUSER=rep_many "$PG_BIN/pgbench" -n -M prepared -c 16 -j 2 -T "$STORM_SECONDS" -f "$script" "$DB" 2>&1 |
		sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1
	if [[ -n "$loop" ]]; then kill "$loop"; wait "$loop" 2>/dev/null || true; fi
}
if wanted "storm" && [[ "${FLP_REP_SKIP_STORM:-}" != 1 ]]; then
	echo "== change storm (${STORM_SECONDS} s per run)" >&2
	calm_p="$(tps p calm)"; storm_p="$(tps p storm)"
	calm_f="$(tps g calm)"; storm_f="$(tps g storm)"
	if [[ -z "$calm_p" || -z "$storm_p" || -z "$calm_f" || -z "$storm_f" ]]; then
		echo "reports.sh: pgbench gave no TPS" >&2
		exit 1
	fi
	ratios="$(awk -v a="$storm_p" -v b="$calm_p" -v c="$storm_f" -v d="$calm_f" \
		'BEGIN { printf "storm / no storm: plain %.3f, flp %.3f", a / b, c / d }')"
	row "16 clients, 16-table LEFT report, a change every 100 ms, 100 bundles (TPS without the storm)" \
		"$calm_p" "$calm_f" tps "$(awk -v p="$calm_p" -v f="$calm_f" 'BEGIN { printf "%.3f", f / p }') (flp / plain)"
	row "the same with the storm (TPS)" "$storm_p" "$storm_f" tps "$ratios"
fi
_flp_as_pg "$DIR" "$PG_BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null

# -------------------------------------------------- instructions (stopped)
# count ROLE COLLECT WHERE N: instructions of a single-user backend running
# the statements that gen N writes (COLLECT: plan or all)
count() {
	local role="$1" collect="$2" where="$3" n="$4" input="$DIR/input.sql" cg="$DIR/callgrind.out"
	local db="$DB" preload=flp opts=() total
	[[ "$where" != noext ]] || { db="${DB}_noext"; preload=""; }
	[[ "$collect" != plan ]] || opts=(--toggle-collect=pg_plan_query)
	{
		echo "SET ROLE $role;"
		gen "$n"
	} >"$input"
	rm -f "$cg"
	chown postgres: "$input" "$DIR" 2>/dev/null || true
	_flp_as_pg "$DIR" valgrind --tool=callgrind "${opts[@]}" --callgrind-out-file="$cg" \
		"$PG_BIN/postgres" --single -D "$DIR/data" -c shared_preload_libraries="$preload" \
		-c jit=off -c max_parallel_workers_per_gather=0 "$db" <"$input" >"$DIR/single.log" 2>&1
	if grep -q "ERROR" "$DIR/single.log"; then
		grep -m3 ERROR "$DIR/single.log" >&2
		return 1
	fi
	total="$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$cg" 2>/dev/null)"
	if [[ -z "$total" || "$total" -le 0 ]]; then
		echo "reports.sh: no instruction count from the backend; its output:" >&2
		tail -n 20 "$DIR/single.log" >&2
		return 1
	fi
	echo "$total"
}
# per ROLE COLLECT WHERE: instructions of one statement of gen
per() {
	local few many
	few="$(count "$1" "$2" "$3" "$FEW")" || exit 1
	many="$(count "$1" "$2" "$3" "$MANY")" || exit 1
	if [[ "$many" -le "$few" ]]; then
		echo "reports.sh: $MANY statements cost no more than $FEW: they did not run" >&2
		tail -n 20 "$DIR/single.log" >&2
		exit 1
	fi
	echo $(((many - few) / (MANY - FEW)))
}

if [[ "$SMOKE" == 1 ]]; then STARS=(4); else STARS=(1 2 4 8 16); fi
for kind in INNER LEFT; do
	for n in "${STARS[@]}"; do
		name="$n-table $kind JOIN report, planning"
		wanted "$name" || continue
		gen() { local k; for ((k = 1; k <= $1; k++)); do echo "$STMT;"; done; }
		STMT="$(star "$kind" "$n" p)"; plain="$(per rep_user plan "")"
		STMT="$(star "$kind" "$n" g)"; flp="$(per rep_user plan "")"
		row "$name" "$plain" "$flp" instr
	done
done

name="join with a 10,000-row VALUES list, planning"
if wanted "$name"; then
	gen() { local k; for ((k = 1; k <= $1; k++)); do echo "$STMT;"; done; }
	STMT="$(values_join p)"; plain="$(per rep_user plan "")"
	STMT="$(values_join g)"; flp="$(per rep_user plan "")"
	row "$name" "$plain" "$flp" instr
	STMT="$(values_join p)"; noext="$(per rep_user plan noext)"
	row "the same on a plain table: flp not loaded / flp loaded" "$noext" "$plain" instr
fi

name="1,000 partitions, point select on an untouched partition"
if wanted "$name"; then
	# statement k reads partition k, which no earlier statement of the backend read
	gen() { local k; for ((k = 1; k <= $1; k++)); do echo "SELECT * FROM rep.${PART}part WHERE k = $k AND id = $((k + 1000));"; done; }
	PART=p; plain="$(per rep_user all "")"
	PART=g; flp="$(per rep_user all "")"
	row "$name" "$plain" "$flp" instr
fi

# statement_costs ROLE N: the instructions of each statement of gen, one per
# line (callgrind dumps its counts as each statement starts: the first dump
# is the start-up, dump s + 1 statement s)
statement_costs() {
	local role="$1" n="$2" input="$DIR/input.sql" cg="$DIR/callgrind.stmt" f
	{
		echo "SET ROLE $role;"
		gen "$n"
	} >"$input"
	rm -f "$cg"*
	chown postgres: "$input" "$DIR" 2>/dev/null || true
	_flp_as_pg "$DIR" valgrind --tool=callgrind --dump-before=pg_parse_query \
		--callgrind-out-file="$cg" "$PG_BIN/postgres" --single -D "$DIR/data" \
		-c shared_preload_libraries=flp -c jit=off "$DB" <"$input" >"$DIR/single.log" 2>&1
	if grep -q "ERROR" "$DIR/single.log"; then
		grep -m3 ERROR "$DIR/single.log" >&2
		return 1
	fi
	for f in $(ls "$cg".* | awk -F. '{ print $NF, $0 }' | sort -n | cut -d' ' -f2); do
		sed -n 's/^summary: \([0-9]*\).*/\1/p' "$f"
	done
}
# median_of_selects: the median of every 4th cost from statement FIRST on
median_of_selects() {
	awk -v first="$1" 'NR >= first && (NR - first) % 4 == 0 { print }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print v[int((NR + 1) / 2)] }'
}

# a point select right after an invalidation that concerns another table (a
# permission change; an ALTER TABLE), by a role with 1 and with 100 bundles,
# counted on its own: the median over the selects of one backend, each right
# after an invalidation.  plain: a plain point select by the same role
# without invalidations; the third column is the point select of the plain
# table after the same invalidation (what flp costs every subject's query
# then, governed tables or not).
for inval in change alter; do
	for who in "rep_user:1" "rep_many:100"; do
		role="${who%%:*}" bundles="${who##*:}"
		if [[ "$inval" == change ]]; then
			name="point select after a permission change of another table, $bundles bundle(s)"
		else
			name="point select after an ALTER TABLE of another governed table, $bundles bundle(s)"
		fi
		wanted "$name" || continue
		# six invalidations first, the same in every run: PL/pgSQL plans its
		# statements anew for their first five executions
		gen() {
			local k
			for ((k = -5; k <= $1; k++)); do
				if [[ -n "$INVAL" ]]; then
					echo "RESET ROLE;"
					if [[ "$inval" == change ]]; then
						echo "SELECT flp.set_permission('rep', 'rep.other', 'c1', '$( ((k % 2 != 0)) && echo hide || echo read)');"
					else
						echo "ALTER TABLE rep.other ALTER COLUMN c18 SET STATISTICS $((k % 2 != 0 ? 50 : 100));"
					fi
					echo "SET ROLE $role;"
				elif ((k <= 0)); then
					echo "SELECT 1;"; echo "SELECT 1;"; echo "SELECT 1;"
				else
					echo "SELECT 1;"; echo "SELECT 1;"; echo "SELECT 1;"
				fi
				if ((k <= 0)); then continue; fi
				echo "SELECT * FROM $TBL WHERE id = $((k * 37 % 997 + 1));"
			done
		}
		# statement 1 is SET ROLE, then 6 x 3 warm-up statements; the select
		# of iteration k is statement 19 + 4k, in dump 20 + 4k (from k = 2)
		n=$MANY; [[ "$SMOKE" != 1 ]] || n=4
		INVAL=""; TBL=rep.p1
		warm="$(statement_costs "$role" "$n" | median_of_selects 28)" || exit 1
		INVAL=1; TBL=rep.p1
		after_plain="$(statement_costs "$role" "$n" | median_of_selects 28)" || exit 1
		INVAL=1; TBL=rep.g1
		flp="$(statement_costs "$role" "$n" | median_of_selects 28)" || exit 1
		row "$name" "$warm" "$flp" instr \
			"$(awk -v p="$warm" -v f="$flp" 'BEGIN { printf "%.3f", p / f }') (plain table after it: $after_plain)"
	done
done

if [[ "$SMOKE" == 1 ]]; then
	# the harness works; a smoke run's counts are too few to mean anything
	echo "reports.sh: smoke run done ($(($(wc -l <"$TABLE") - 2)) workloads measured, no ratios shown)"
	exit 0
fi
echo
cat "$TABLE"
