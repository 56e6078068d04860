#!/usr/bin/env bash
# test/shell/75-ddl.sh -- DDL on governed tables.  In a database of its own on
# the main test cluster, test/ddl/setup.sql builds a governed schema whose
# hidden fields hold canaries, then every step test/ddl/NN-*.sql runs its DDL
# (renames, type changes, dropped columns and tables, partitions created,
# attached (also a table governed on its own) and detached, bundles dropped
# and recreated, roles renamed and dropped, partners dropped,
# unprotect/protect, owner changes and what an owner can do, TRUNCATE,
# VACUUM FULL, CLUSTER, indexes on hidden fields) and its own checks.  After
# every step:
#   - as a super admin: every governed table and partition is guarded, and
#     flp's catalog names only tables, columns and roles that exist
#     (ddl_check.guards(), ddl_check.catalog());
#   - as the subject and as the partner user: test/ddl/sweep.sql -- hidden
#     fields masked (the mask of their current type) and refused in filters,
#     the others filterable, every relation read through many paths.
# The run fails on any unexpected error, on any error with SQLSTATE XX000 or a
# message starting with "flp:", and on any canary in anything a subject (or
# anyone but a probe) prints.
#
# A step file is SQL in sections, each introduced by a line
#   --@ as ROLE           run as ROLE ('admin': the superuser); must not fail
#   --@ probe ROLE LABEL  run as ROLE, errors allowed: a canary in its output is
#                         reported as a FINDING (what flp does today), not a
#                         failure, and the output is not shown
# Lines 'note: ...' and 'FINDING: ...' of any output are reported.
#
# FLP_DDL_KEEP=1 keeps every section's SQL and output in /tmp/flp-ddl.*.
#
# Uses the main test cluster (PGHOST/PGPORT, PGUSER a superuser); creates the
# database flp_ddl and the roles ddl_*, and drops them afterwards.
# Exit 0 = pass, 1 = failures, 2 = could not run.
set -uo pipefail

: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB="${FLP_DDL_DB:-flp_ddl}"
DDL_DIR="$FLP_ROOT/test/ddl"
PSQL=("$FLP_PG_BIN/psql" -X -q -v VERBOSITY=verbose)
ADMIN="${PGUSER:-postgres}"
ROLES="ddl_subject, ddl_sales, ddl_owner, ddl_partner, ddl_partner_gone, ddl_subject_renamed, ddl_sales_renamed"
# every hidden value planted by setup.sql and the steps
CANARIES=(CNRY_DDL_ 987654321 'Ω7' 'Ω8')
WORK="$(mktemp -d /tmp/flp-ddl.XXXXXX)"

STEPS=0
CHECKS=0
FAILURES=0
FINDINGS=()
NOTES=()

drop_objects() {
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	"${PSQL[@]}" -d postgres -c "DROP ROLE IF EXISTS $ROLES" >/dev/null 2>&1
}

cleanup() {
	drop_objects
	if [[ -n "${FLP_DDL_KEEP:-}" ]]; then
		echo "75-ddl: FLP_DDL_KEEP set: outputs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}

# Print FILE with canaries blotted out.
show() {
	local sedargs=() c
	for c in "${CANARIES[@]}"; do
		sedargs+=(-e "s/$c/<CANARY>/g")
	done
	sed "${sedargs[@]}" "$1" | sed 's/^/    | /'
}

fail() {
	echo "FAIL 75-ddl: $*" >&2
	FAILURES=$((FAILURES + 1))
}

# run_sql ROLE FILE OUT [ON_ERROR_STOP]: run FILE as ROLE in $DB.
run_sql() {
	local role="$1" file="$2" out="$3" stop="${4:-1}"
	[[ "$role" == admin ]] && role="$ADMIN"
	"${PSQL[@]}" -v ON_ERROR_STOP="$stop" -U "$role" -d "$DB" -f "$file" >"$out" 2>&1
}

# Does OUT hold an internal error or one of flp's internal messages?
internal_error() {
	grep -Eq 'XX000|(ERROR|WARNING|NOTICE|FATAL|PANIC):  ([0-9A-Z]{5}: )?flp:|server closed the connection|terminating connection' "$1"
}

# Does OUT hold a canary?
has_canary() {
	local c
	for c in "${CANARIES[@]}"; do
		grep -Fq -- "$c" "$1" && return 0
	done
	return 1
}

# Count the ok lines of OUT and collect its notes and findings.
collect() {
	local out="$1" context="$2" n line
	n="$(grep -Ec '^ *ok: ' "$out")"
	CHECKS=$((CHECKS + n))
	STEP_CHECKS=$((STEP_CHECKS + n))
	while IFS= read -r line; do
		line="${line#"${line%%[![:space:]]*}"}"
		if [[ "$line" == FINDING:* ]]; then
			add_finding "${line#FINDING: } ($context)"
		else
			NOTES+=("$context: ${line#note: }")
			echo "    note: ${line#note: }"
		fi
	done < <(grep -E '^ *(note|FINDING): ' "$out")
	# warnings are shown too (e.g. flp.protect of a table owned by a subject)
	while IFS= read -r line; do
		NOTES+=("$context: $line")
		echo "    note: server said: $line"
	done < <(grep -E '^(psql:[^ ]* )?WARNING: ' "$out" | sed 's/^psql:[^ ]* //')
}

add_finding() {
	local f
	for f in "${FINDINGS[@]}"; do
		[[ "$f" == "$1" ]] && return 0
	done
	FINDINGS+=("$1")
	echo "    FINDING: $1"
}

# run_section STEP KIND ROLE LABEL FILE
run_section() {
	local step="$1" kind="$2" role="$3" label="$4" file="$5" out rc=0
	out="$file.out"
	if [[ "$kind" == probe ]]; then
		run_sql "$role" "$file" "$out" 0 || rc=$?
		if internal_error "$out"; then
			fail "$step: probe '$label' as $role: internal error"
			show "$out"
		elif has_canary "$out"; then
			add_finding "$label: a canary is visible to $role ($step)"
		else
			echo "    probe ($role) $label: no canary visible"
		fi
		return 0
	fi
	run_sql "$role" "$file" "$out" 1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		fail "$step: section as $role failed (psql exit $rc)"
		show "$out"
	elif internal_error "$out"; then
		fail "$step: section as $role: internal error"
		show "$out"
	elif has_canary "$out"; then
		fail "$step: section as $role: a canary appears in the output"
		show "$out"
	fi
	collect "$out" "$step"
}

# Split a step file into sections: $dir/NN.sql with $dir/NN.meta = "KIND ROLE LABEL".
split_step() {
	local file="$1" dir="$2"
	awk -v dir="$dir" '
		/^--@ / {
			n++
			out = sprintf("%s/%02d.sql", dir, n)
			kind = $2; role = $3
			if (kind == "as") kind = "sql"
			label = ""
			for (i = 4; i <= NF; i++) label = label (i > 4 ? " " : "") $i
			printf "%s %s %s\n", kind, role, label > sprintf("%s/%02d.meta", dir, n)
			next
		}
		n > 0 { print > out }
	' "$file"
}

# The checks after every step: guards and catalog (admin), sweeps (subject, partner).
after_step() {
	local step="$1" dir="$2" role
	printf 'SELECT * FROM ddl_check.guards();\nSELECT * FROM ddl_check.catalog();\n' >"$dir/after-admin.sql"
	run_section "$step" sql admin "" "$dir/after-admin.sql"
	for role in ddl_subject ddl_partner; do
		cp "$DDL_DIR/sweep.sql" "$dir/after-$role.sql"
		run_section "$step" sql "$role" "" "$dir/after-$role.sql"
	done
}

run_step() {
	local file="$1" step dir meta kind role label section start failures_before
	step="$(basename "$file" .sql)"
	dir="$WORK/$step"
	mkdir -p "$dir"
	split_step "$file" "$dir"
	STEPS=$((STEPS + 1))
	STEP_CHECKS=0
	failures_before=$FAILURES
	start=$SECONDS
	echo "  step $step"
	for meta in "$dir"/[0-9][0-9].meta; do
		[[ -e "$meta" ]] || continue
		section="${meta%.meta}.sql"
		read -r kind role label <"$meta"
		run_section "$step" "$kind" "$role" "$label" "$section"
	done
	after_step "$step" "$dir"
	if [[ $FAILURES -eq $failures_before ]]; then
		echo "  ok   $step ($STEP_CHECKS checks, $((SECONDS - start))s)"
	else
		echo "  FAIL $step"
	fi
}

main() {
	local file start=$SECONDS
	trap cleanup EXIT
	drop_objects
	# the sweep shows subjects the shapes of plans (flp.subject_explain, a
	# superuser setting, refuses them EXPLAIN by default)
	if ! "${PSQL[@]}" -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $DB" \
			-c "ALTER DATABASE $DB SET flp.subject_explain = 'plan'" >"$WORK/create.out" 2>&1 ||
		! run_sql admin "$DDL_DIR/setup.sql" "$WORK/setup.out" ||
		! run_sql admin "$DDL_DIR/checks.sql" "$WORK/checks.out"; then
		echo "FAIL 75-ddl: setup failed" >&2
		cat "$WORK"/*.out >&2
		exit 2
	fi
	if internal_error "$WORK/setup.out"; then
		fail "setup: internal error"
		show "$WORK/setup.out"
	fi
	for file in "$DDL_DIR"/[0-9][0-9]-*.sql; do
		run_step "$file"
	done
	echo "flp ddl: $STEPS steps checked, $CHECKS checks, $FAILURES failures, ${#FINDINGS[@]} findings ($((SECONDS - start))s)"
	if [[ ${#FINDINGS[@]} -gt 0 ]]; then
		echo "findings (what flp does today; reported, not failures):"
		printf '  - %s\n' "${FINDINGS[@]}"
	fi
	[[ $FAILURES -eq 0 ]] || exit 1
	echo "ok 75-ddl"
}

main
