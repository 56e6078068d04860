# shellcheck shell=bash
# test/lib/track.sh -- long-running children a test must be able to end from
# its EXIT/TERM trap (sourced by test/shell/50-fuzz.sh and 55-differential.sh).
# Both need $TMP, a directory of the test's own.

# track NAME CMD...: run CMD (in the background, so that cleanup can end it
# by its pid) and wait for it; returns its status.
track() {
	local name="$1" pid rc
	shift
	"$@" &
	pid=$!
	echo "$pid" >"$TMP/pid.$name"
	wait "$pid"
	rc=$?
	rm -f "$TMP/pid.$name"
	return $rc
}

# track_kill_all: end every tracked command and background job, and wait.
track_kill_all() {
	local job f
	for f in "$TMP"/pid.*; do
		[[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null
	done
	for job in $(jobs -p); do
		kill "$job" 2>/dev/null
	done
	wait 2>/dev/null
}
