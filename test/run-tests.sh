#!/usr/bin/env bash
# test/run-tests.sh -- THE command that runs every flp test.
#
#   bash test/run-tests.sh [NAME...]
#
# Installs missing build/test packages (test/lib/deps.sh), builds and installs
# the extension with PGXS, starts a throwaway cluster with
# shared_preload_libraries = 'flp' (test/lib/cluster.sh), then runs
#   1. the pg_regress tests      (REGRESS in the Makefile, test/sql/*.sql)
#   2. the isolation tests       (ISOLATION in the Makefile, test/specs/*.spec)
#   3. every executable test/shell/*.sh, in sorted order
# and prints a one-line summary; then, on a full run, the same on PostgreSQL
# 17, 18 and 19 in cached Debian chroots, and the regress, isolation and
# attack suites on an assert-enabled 18 (test/versions.sh; FLP_VERSIONS).
# Exits non-zero if anything failed.
#
# NAME arguments restrict the run to the regress tests, isolation specs or
# shell scripts of that base name (e.g. `bash test/run-tests.sh 10-no-preload`).
#
# Environment knobs: FLP_SKIP_DEPS=1 (no package check), FLP_SKIP_BUILD=1 (no
# make clean/make/make install), FLP_KEEP_CLUSTER=1 (keep the cluster dir with
# its logs after the run), FLP_TEST_TIMEOUT (seconds per shell test, def. 300;
# a script may ask for more with a line "# flp-test-timeout: N"),
# FLP_SKIP_TESTS="NAME..." (shell tests not to run, named in the summary line;
# test/versions.sh uses it to run one order of the neighbours tests on 17
# and 19).
set -euo pipefail

FLP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$FLP_ROOT"
export FLP_ROOT
# shellcheck source=test/lib/deps.sh
source test/lib/deps.sh
# shellcheck source=test/lib/cluster.sh
source test/lib/cluster.sh
export FLP_PG_BIN

PG_CONFIG="pg_config"
MAKE=()
SELECTED=("$@")
REGRESS_STATUS="none"
ISOLATION_STATUS="none"
SHELL_PASSED=0
SHELL_TOTAL=0
SHELL_LOG="$(mktemp /tmp/flp-shell-test.XXXXXX)"
ATTACK_LINE=""
SHELL_FAILED_NAMES=()
SHELL_NOT_RUN=()
FAILED=0

say() {
	echo "=== $*"
}

# Pick pg_config (after the packages are installed) and the make command line.
setup_make() {
	[[ -x "$FLP_PG_BIN/pg_config" ]] && PG_CONFIG="$FLP_PG_BIN/pg_config"
	MAKE=(make -s --no-print-directory "PG_CONFIG=$PG_CONFIG")
}

# Print the value of a variable of the Makefile (e.g. REGRESS).
make_var() {
	# shellcheck disable=SC2016 # $($*) is for make, not for bash
	"${MAKE[@]}" --eval='flp-print-%: ; @echo $($*)' "flp-print-$1"
}

# Base name of a test given as a name or a path: test/sql/foo.sql -> foo.
test_name() {
	local name="${1##*/}"
	echo "${name%.*}"
}

# Fail when a NAME given on the command line matches no test at all.
check_selection() {
	local known=" $1 " sel script
	for script in test/shell/*.sh; do
		known+=" $(test_name "$script") "
	done
	for sel in "${SELECTED[@]}"; do
		if [[ "$known" != *" $(test_name "$sel") "* ]]; then
			echo "run-tests.sh: no test named '$sel'" >&2
			exit 2
		fi
	done
}

# Keep the words of $@ that were selected on the command line (all if none).
filter_selected() {
	local name sel
	for name in "$@"; do
		if [[ ${#SELECTED[@]} -eq 0 ]]; then
			echo "$name"
			continue
		fi
		for sel in "${SELECTED[@]}"; do
			[[ "$name" == "$(test_name "$sel")" ]] && echo "$name"
		done
	done
	return 0
}

# Remove what earlier runs of pg_regress / pg_isolation_regress left behind.
clean_test_output() {
	rm -rf results/ regression.diffs regression.out output_iso/ tmp_check/ \
		tmp_check_iso/ log/
}

# make clean && make && make install.
build() {
	say "build ($PG_CONFIG)"
	clean_test_output
	"${MAKE[@]}" clean &&
		"${MAKE[@]}" -j "$(nproc 2>/dev/null || echo 2)" &&
		"${MAKE[@]}" install
}

# Check that we (maybe root) can talk to the cluster as the postgres DB user.
check_connection() {
	local who
	who="$("$FLP_PG_BIN/psql" -X -Atc 'SELECT current_user' 2>&1)" || {
		echo "cannot connect to the test cluster: $who" >&2
		return 1
	}
	[[ "$who" == postgres ]] || {
		echo "connected as '$who', expected 'postgres'" >&2
		return 1
	}
}

# Print FILE (a regression.diffs) if it exists.
show_diffs() {
	[[ -s "$1" ]] || return 0
	echo "----- $1 -----"
	cat "$1"
	echo "----- end of $1 -----"
}

# Succeed (and print them) when the main cluster's server log shows a crash
# after byte MARK: a failed assertion (TRAP) on an assert-enabled server, a
# backend ended by a signal, a PANIC. A suite that crashed the server fails,
# whatever its own verdict.
crashed_since() {
	local lines
	lines="$(flp_cluster_crashes "" "$1")" || return 1
	echo "----- the server crashed (server log $FLP_CLUSTER_DIR/log/postgresql.log) -----"
	echo "$lines"
	echo "----- end of the crash lines -----"
	# the postmaster restarts after a crash: let the next suite find it ready
	local i
	for ((i = 0; i < 60; i++)); do
		"$FLP_PG_BIN/pg_isready" -q && break
		sleep 1
	done
	return 0
}

# Run the pg_regress tests $@ through `make installcheck`.
run_regress() {
	[[ $# -gt 0 ]] || return 0
	local mark
	mark="$(flp_cluster_log_size "")"
	say "regress: $*"
	if "${MAKE[@]}" installcheck REGRESS="$*" ISOLATION=; then
		REGRESS_STATUS="ok"
	else
		REGRESS_STATUS="FAILED"
		FAILED=1
		show_diffs regression.diffs
		flp_cluster_log "" 50
	fi
	if crashed_since "$mark"; then
		REGRESS_STATUS="FAILED (server crash)"
		FAILED=1
	fi
}

# Run the isolation specs $@ through `make installcheck`.
run_isolation() {
	[[ $# -gt 0 ]] || return 0
	local mark
	mark="$(flp_cluster_log_size "")"
	say "isolation: $*"
	if "${MAKE[@]}" installcheck REGRESS= ISOLATION="$*"; then
		ISOLATION_STATUS="ok"
	else
		ISOLATION_STATUS="FAILED"
		FAILED=1
		show_diffs regression.diffs
		flp_cluster_log "" 50
	fi
	if crashed_since "$mark"; then
		ISOLATION_STATUS="FAILED (server crash)"
		FAILED=1
	fi
}

# After a shell test: make sure the main cluster is up and preloads flp again
# (a test may have restarted it without the library, or even removed it).
restore_main_cluster() {
	local libs
	libs="$("$FLP_PG_BIN/psql" -X -Atc 'SHOW shared_preload_libraries' 2>/dev/null)" &&
		[[ "$libs" == flp ]] && return 0
	echo "run-tests.sh: main cluster not in its initial state; restoring it" >&2
	if [[ -d "${FLP_CLUSTER_DIR:-}/data" ]]; then
		flp_cluster_restart flp && return 0
	fi
	flp_cluster_stop
	flp_cluster_start "" flp
}

# The seconds shell test $1 may take: FLP_TEST_TIMEOUT (default 300), or
# more if the script asks for more with a line "# flp-test-timeout: N".
shell_timeout() {
	local t="${FLP_TEST_TIMEOUT:-300}" want
	want="$(sed -n 's/^# flp-test-timeout: *\([0-9][0-9]*\) *$/\1/p' "$1" | head -n 1)"
	[[ -z "$want" || "$want" -le "$t" ]] || t="$want"
	echo "$t"
}

# While shell test $1 (started at $2) runs: a line whenever it has been
# silent for 15 seconds, so that a long test shows it is alive.
silence_ticker() {
	local name="$1" start="$2"
	while sleep 5; do
		if [[ $(($(date +%s) - $(stat -c %Y "$SHELL_LOG"))) -ge 15 ]]; then
			echo "  ... $name still running ($((SECONDS - start)) s)"
			touch "$SHELL_LOG"
		fi
	done
}

# Run one shell test script.
run_shell_test() {
	local script="$1" name rc=0 limit mark start secs ticker
	name="$(test_name "$script")"
	limit="$(shell_timeout "$script")"
	start=$SECONDS
	SHELL_TOTAL=$((SHELL_TOTAL + 1))
	say "shell: $name"
	mark="$(flp_cluster_log_size "")"
	: >"$SHELL_LOG"
	silence_ticker "$name" "$start" &
	ticker=$!
	set +e
	timeout "$limit" "$script" </dev/null 2>&1 | tee "$SHELL_LOG"
	rc=${PIPESTATUS[0]}
	kill "$ticker" 2>/dev/null
	wait "$ticker" 2>/dev/null
	set -e
	# a crash of the main cluster fails the test (its own clusters are its own)
	if crashed_since "$mark" && [[ $rc -eq 0 ]]; then
		rc=1
	fi
	# the attack suite's count line is repeated in the final summary
	ATTACK_LINE="$(grep -m1 '^flp attacks:' "$SHELL_LOG" || echo "$ATTACK_LINE")"
	secs=$((SECONDS - start))
	if [[ $rc -eq 0 ]]; then
		SHELL_PASSED=$((SHELL_PASSED + 1))
		echo "ok: $name ($secs s)"
	else
		[[ $rc -eq 124 ]] && echo "timed out after ${limit}s"
		echo "FAILED: $name (exit $rc, $secs s)"
		SHELL_FAILED_NAMES+=("$name")
		FAILED=1
	fi
	if ! restore_main_cluster; then
		summary
		echo "run-tests.sh: cannot restore the main cluster; giving up" >&2
		exit 1
	fi
}

# Run every selected executable test/shell/*.sh in sorted order.
run_shell_tests() {
	local script name
	for script in test/shell/*.sh; do
		[[ -e "$script" ]] || continue
		name="$(test_name "$script")"
		[[ -n "$(filter_selected "$name")" ]] || continue
		if [[ " ${FLP_SKIP_TESTS:-} " == *" $name "* ]]; then
			say "shell: $name not run here (FLP_SKIP_TESTS)"
			SHELL_NOT_RUN+=("$name")
			continue
		fi
		if [[ ! -x "$script" ]]; then
			echo "WARNING: $script is not executable; skipped (chmod +x it)" >&2
			continue
		fi
		run_shell_test "$FLP_ROOT/$script"
	done
}

summary() {
	[[ -z "${ATTACK_LINE:-}" ]] || echo "$ATTACK_LINE"
	local line="flp tests: regress $REGRESS_STATUS, isolation $ISOLATION_STATUS"
	line+=", shell $SHELL_PASSED/$SHELL_TOTAL passed"
	[[ ${#SHELL_FAILED_NAMES[@]} -eq 0 ]] || line+=" (failed: ${SHELL_FAILED_NAMES[*]})"
	[[ ${#SHELL_NOT_RUN[@]} -eq 0 ]] || line+=" (not run here: ${SHELL_NOT_RUN[*]})"
	echo "$line"
}

# The entries of the version matrix (test/versions.sh: PostgreSQL 17, 18, 18
# with assertions and 19 in cached Debian chroots) this run ends with, or
# nothing: not when tests were selected by name, not inside a version's own
# run (FLP_PG_VERSION), and not with FLP_VERSIONS=none; FLP_VERSIONS="18"
# runs only that version.
matrix_versions() {
	local versions="${FLP_VERSIONS:-17 19 18 18-assert}"
	[[ ${#SELECTED[@]} -eq 0 ]] || return 0
	[[ -z "${FLP_PG_VERSION:-}" || "${FLP_PG_VERSION}" == 15 ]] || return 0
	[[ "$versions" != none ]] || return 0
	echo "$versions"
}

# Prepare the matrix's chroots (debootstrap, packages, the assert build) in
# the background while the host's suites run: `test/versions.sh --prepare`
# at low CPU and I/O priority, in a process group of its own (stopped by the
# EXIT trap if the run ends early). The matrix run waits for it; whatever it
# did not finish, the matrix run prepares itself.
PREPARE_PID=""
PREPARE_LOG=""
start_prepare() {
	local versions
	versions="$(matrix_versions)"
	[[ -n "$versions" ]] || return 0
	PREPARE_LOG="$(mktemp /tmp/flp-versions-prepare.XXXXXX)"
	say "versions: preparing $versions in the background (log $PREPARE_LOG)"
	# shellcheck disable=SC2086 # a word list on purpose
	setsid nice -n 10 ionice -c 3 bash test/versions.sh --prepare $versions \
		</dev/null >"$PREPARE_LOG" 2>&1 &
	PREPARE_PID=$!
}

stop_prepare() {
	[[ -n "$PREPARE_PID" ]] || return 0
	kill -TERM -- "-$PREPARE_PID" 2>/dev/null || true
	wait "$PREPARE_PID" 2>/dev/null || true
	PREPARE_PID=""
}

# The version matrix, after the host's full run (see matrix_versions).
run_versions() {
	local versions
	versions="$(matrix_versions)"
	if [[ -z "$versions" ]]; then
		[[ "${FLP_VERSIONS:-}" != none ]] || echo "flp versions: not run (FLP_VERSIONS=none)"
		return 0
	fi
	if [[ -n "$PREPARE_PID" ]]; then
		local start=$SECONDS rc=0
		say "versions: waiting for the background preparation"
		wait "$PREPARE_PID" || rc=$?
		PREPARE_PID=""
		say "versions: preparation ended (exit $rc) after another $((SECONDS - start)) s: $(tail -n 5 "$PREPARE_LOG" | tr '\n' ';')"
		rm -f "$PREPARE_LOG"
	fi
	say "versions: $versions (test/versions.sh)"
	local log rc=0
	log="$(mktemp /tmp/flp-versions-out.XXXXXX)"
	# shellcheck disable=SC2086 # a word list on purpose
	bash test/versions.sh $versions </dev/null | tee "$log"
	rc=${PIPESTATUS[0]}
	VERSIONS_COUNTS="$(sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' "$log" | tail -n 1)"
	rm -f "$log"
	return "$rc"
}

# The host's PostgreSQL version, e.g. 15.20.
host_version() {
	"$FLP_PG_BIN/postgres" --version | sed -E 's/^postgres \(PostgreSQL\) ([^ ]+).*/\1/'
}

# The last line of a run: the host and each version of the matrix as one
# entry each, "N passed, M failed".
final_line() {
	local passed=0 failed=0 p f
	if [[ $HOST_FAILED -eq 0 ]]; then passed=1; else failed=1; fi
	if [[ -n "${VERSIONS_COUNTS:-}" ]]; then
		read -r p f <<<"$VERSIONS_COUNTS"
		passed=$((passed + p))
		failed=$((failed + f))
	elif [[ ${VERSIONS_RC:-0} -ne 0 ]]; then
		failed=$((failed + 1))		# the matrix did not get to count
	fi
	if [[ -z "${FLP_PG_VERSION:-}" ]]; then
		echo "PostgreSQL $(host_version) (host): $HOST_LINE"
	else
		echo "PostgreSQL $(host_version): $HOST_LINE"
	fi
	echo "$passed passed, $failed failed"
}

# Status word for a suite: none (no tests), skipped (deselected) or pending.
initial_status() {
	if [[ -z "$1" ]]; then
		echo none
	elif [[ -z "$2" ]]; then
		echo skipped
	else
		echo pending
	fi
}

main() {
	local regress isolation all_regress all_isolation
	[[ -n "${FLP_SKIP_DEPS:-}" ]] || flp_deps_install
	setup_make
	all_regress="$(make_var REGRESS)"
	all_isolation="$(make_var ISOLATION)"
	check_selection "$all_regress $all_isolation"
	# shellcheck disable=SC2086 # word lists on purpose
	regress="$(filter_selected $all_regress)"
	# shellcheck disable=SC2086
	isolation="$(filter_selected $all_isolation)"
	REGRESS_STATUS="$(initial_status "$all_regress" "$regress")"
	ISOLATION_STATUS="$(initial_status "$all_isolation" "$isolation")"

	trap 'flp_cluster_stop; stop_prepare; rm -f "$SHELL_LOG"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	start_prepare
	if [[ -z "${FLP_SKIP_BUILD:-}" ]] && ! build; then
		echo "flp tests: build FAILED"
		exit 1
	fi
	clean_test_output

	say "starting a throwaway cluster (shared_preload_libraries = 'flp')"
	if ! flp_cluster_start "" flp || ! check_connection; then
		echo "flp tests: cluster start FAILED"
		exit 1
	fi
	say "server: $("$FLP_PG_BIN/psql" -X -Atc "SELECT version() || ', debug_assertions ' || current_setting('debug_assertions')")"

	# shellcheck disable=SC2086
	run_regress $regress
	# shellcheck disable=SC2086
	run_isolation $isolation
	run_shell_tests
	flp_cluster_stop

	summary
	HOST_FAILED=$FAILED
	HOST_LINE="$(summary | tail -n 1)"
	VERSIONS_RC=0
	run_versions || VERSIONS_RC=$?
	[[ $VERSIONS_RC -eq 0 ]] || FAILED=1
	final_line
	exit "$FAILED"
}

main
