#!/usr/bin/env bash
# test/attacks/run.sh -- the flp attack suite: leak attempts against canaries.
#
#   bash test/attacks/run.sh [--only NAME]... [--verbose] [--as-admin] [--no-setup]
#                            [--jobs N]
#
# Creates the database flp_attacks (dropping it and the roles atk_subject and
# atk_admin first), runs CREATE EXTENSION flp and setup.sql as the superuser,
# checks that every canary of canaries.txt really is in the data, then runs
# every attack of catalogue.sql in its own psql session, inside BEGIN ...
# ROLLBACK, connected as atk_subject (kind admin: as atk_admin), several at a
# time, and prints one line per attack (ok, LEAK or FAIL) and a summary.
# Sessions log in as the role (trust authentication, as in the test
# clusters) rather than SET ROLE from a superuser session, which the subject
# could undo with RESET ROLE.
#
# A catalogue block starts with a header line
#     -- @attack NAME KIND [EXPECTED]
# and runs up to the next header.  KIND is one of
#     leak     must not leak; may fail or not
#     refuse   must fail with SQLSTATE 42501 (and not leak)
#     expect   output (psql -At) must equal EXPECTED, without error (and not leak)
#     sanity   the same as expect: ordinary behaviour of editable/readable fields
#     admin    run as atk_admin; output must equal EXPECTED (no leak check: a
#              super admin sees the canaries)
# A leak is any canary of canaries.txt, or the md5 hex of one, anywhere in the
# session's stdout and stderr (case-insensitive), once the "LINE n:" lines
# that quote the query text (and their caret lines) are removed.  Canary
# literals must not appear in the catalogue's query text anyway (checked).
# A block may carry the comment line "-- @since NNNNNN" (a server_version_num):
# it uses SQL or query-tree fields of that version and is not run on older ones.
# A block may carry the comment line "-- @as ROLE" to run as another subject
# (atk_partner, a partner user scoped to its partner's records).
# A block may carry the comment line "-- @admin-error REASON": it errors when
# run as a super admin too, who sees the real values (an invalid cast, a
# constraint violation, ...); --as-admin uses it.
#
# Options:
#   --only NAME   run only this attack (may be repeated)
#   --verbose     print the (filtered) output of every attack
#   --as-admin    syntax check: run every block as atk_admin and report the
#                 blocks that fail although they are not marked @admin-error
#   --no-setup    reuse the existing flp_attacks database (for quick iteration)
#   --jobs N      run N attacks at a time (default 4, or $FLP_ATTACK_JOBS); an
#                 attack that meets another one's locks (deadlock, lock
#                 timeout) is run again alone
#
# Environment: PGHOST/PGPORT/PGUSER (a superuser) of a cluster that preloads
# flp; FLP_PG_BIN (default /usr/lib/postgresql/15/bin); FLP_ATTACK_DB (default
# flp_attacks); FLP_ATTACK_CATALOGUE (another catalogue file, for testing the
# runner); FLP_ATTACK_STATEMENT_TIMEOUT (each attack's statement_timeout,
# default 60s: attacks take a few seconds at most, but a busy machine -- the
# version chroots prepared beside the host's run -- can make one take 20);
# FLP_ATTACK_SESSION_TIMEOUT (seconds each attack's session may take, default
# 120).  Exit status 0 when there was no leak and no failure, 1
# otherwise, 2 when the suite itself could not run.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB="${FLP_ATTACK_DB:-flp_attacks}"
PSQL="$FLP_PG_BIN/psql"
SUBJECT=atk_subject
ADMIN=atk_admin
CATALOGUE="${FLP_ATTACK_CATALOGUE:-$HERE/catalogue.sql}"
SETUP="$HERE/setup.sql"
CANARIES="$HERE/canaries.txt"

ONLY=()
VERBOSE=0
AS_ADMIN=0
SETUP_DB=1
JOBS="${FLP_ATTACK_JOBS:-4}"
while [[ $# -gt 0 ]]; do
	case "$1" in
	--only)
		[[ $# -ge 2 ]] || { echo "run.sh: --only needs a NAME" >&2; exit 2; }
		ONLY+=("$2")
		shift 2
		;;
	--only=*) ONLY+=("${1#--only=}"); shift ;;
	--verbose | -v) VERBOSE=1; shift ;;
	--as-admin) AS_ADMIN=1; shift ;;
	--no-setup) SETUP_DB=0; shift ;;
	--jobs | -j)
		[[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --jobs needs a number" >&2; exit 2; }
		JOBS="$2"
		shift 2
		;;
	-h | --help)
		sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

TMP="$(mktemp -d /tmp/flp-attacks.XXXXXX)" || exit 2
trap 'rm -rf "$TMP"' EXIT

die() {
	echo "run.sh: $*" >&2
	exit 2
}

# ------------------------------------------------------------------ canaries
# $TMP/patterns: every canary and the md5 hex of every canary, one per line.
load_canaries() {
	local c
	: >"$TMP/canaries"
	: >"$TMP/patterns"
	while IFS= read -r c || [[ -n "$c" ]]; do
		[[ -z "$c" || "$c" == \#* ]] && continue
		printf '%s\n' "$c" >>"$TMP/canaries"
		printf '%s\n' "$c" >>"$TMP/patterns"
		printf '%s' "$c" | md5sum | cut -d' ' -f1 >>"$TMP/patterns"
	done <"$CANARIES"
	[[ -s "$TMP/canaries" ]] || die "no canaries in $CANARIES"
}

# ------------------------------------------------------------------ catalogue
# Split catalogue.sql into $TMP/blocks/NNNN.sql (the block as written),
# $TMP/res/NNNN.sql (the script psql runs: the block inside BEGIN ...
# ROLLBACK) and a manifest of "NNNN<TAB>name<TAB>kind<TAB>expected" lines.
parse_catalogue() {
	mkdir -p "$TMP/blocks" "$TMP/res"
	awk -v dir="$TMP" -v timeout="${FLP_ATTACK_STATEMENT_TIMEOUT:-60s}" '
		function fail(msg) { printf "catalogue.sql:%d: %s\n", NR, msg > "/dev/stderr"; bad = 1 }
		function finish() {
			if (id == "") return
			print "" > script
			print "ROLLBACK;" > script
			close(block); close(script)
		}
		/^-- @attack([ \t]|$)/ {
			finish()
			line = $0
			sub(/^-- @attack[ \t]+/, "", line)
			split(line, w, /[ \t]+/)
			name = w[1]; kind = w[2]
			expected = line
			sub(/^[^ \t]+[ \t]*/, "", expected)      # drop the name
			sub(/^[^ \t]+[ \t]*/, "", expected)      # drop the kind
			sub(/[ \t]+$/, "", expected)
			if (name == "" || kind == "") fail("header without name and kind")
			if (name !~ /^[A-Za-z0-9_.-]+$/) fail("bad attack name \"" name "\"")
			if (kind !~ /^(leak|refuse|expect|sanity|admin)$/) fail("unknown kind \"" kind "\" of " name)
			if (name in seen) fail("duplicate attack name " name)
			if (kind ~ /^(leak|refuse)$/ && expected != "") fail(kind " attack " name " takes no expected value")
			seen[name] = 1
			count++
			id = sprintf("%04d", count)
			block = dir "/blocks/" id ".sql"
			script = dir "/res/" id ".sql"
			printf "" > block
			print "\\set VERBOSITY verbose" > script
			print "\\set SHOW_CONTEXT never" > script
			print "SET statement_timeout = '\''" timeout "'\'';" > script
			print "SET lock_timeout = '\''10s'\'';" > script
			print "BEGIN;" > script
			printf "%s\t%s\t%s\t%s\n", id, name, kind, expected > (dir "/manifest")
			next
		}
		id != "" { print > block; print > script }
		END { finish(); if (count == 0) fail("no attacks"); exit bad }
	' "$CATALOGUE" || die "cannot parse $CATALOGUE"
}

# The query text must not contain a canary: then nothing a psql or server
# message quotes from the query can look like a leak.
lint_catalogue() {
	local hits
	hits="$(grep -v '^-- @attack' "$CATALOGUE" | LC_ALL=C grep -a -n -i -F -f "$TMP/patterns")"
	if [[ -n "$hits" ]]; then
		echo "$hits" >&2
		die "catalogue.sql quotes canaries in query text (build them, e.g. 'CNRY_TXT_' || '5e1d')"
	fi
}

# ------------------------------------------------------------------ setup
setup_database() {
	if ! "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
		-c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS atk_etl, $SUBJECT, $ADMIN, atk_partner, atk_viewowner" \
		-c "CREATE DATABASE $DB" >"$TMP/setup.log" 2>&1 ||
		! "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "SET client_min_messages = warning" \
			-c "CREATE EXTENSION flp" -f "$SETUP" >>"$TMP/setup.log" 2>&1; then
		cat "$TMP/setup.log" >&2
		die "setup failed"
	fi
}

# Every canary must really be in the data (as the superuser sees it, in some
# DateStyle), and pg_stats must hold some, or the leak checks prove nothing.
check_canaries_planted() {
	local style c missing=0
	: >"$TMP/data"
	for style in 'ISO, MDY' 'German' 'SQL, MDY' 'SQL, DMY' 'Postgres, MDY' 'Postgres, DMY'; do
		"$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" >>"$TMP/data" 2>&1 <<-SQL || die "cannot read the canaries back"
			SET DateStyle = '$style';
			SELECT concat_ws(' ', a::text, a.dt::text, a.js::text, a.arr::text, a.bin::text,
							 encode(a.bin, 'escape')) FROM vault.acct a
			UNION ALL SELECT p::text FROM vault.part p
			UNION ALL SELECT f::text FROM vault.form f
			UNION ALL SELECT g::text FROM vault.gen g
			UNION ALL SELECT u::text FROM vault.uniq u
			UNION ALL SELECT k::text FROM vault.keyed k
			UNION ALL SELECT r::text FROM vault.keyref r
			UNION ALL SELECT c::text FROM vault.company c
			UNION ALL SELECT t::text FROM vault.company_cta t
			UNION ALL SELECT m::text FROM vault.masked m;
		SQL
	done
	while IFS= read -r c; do
		if ! LC_ALL=C grep -q -a -F -- "$c" "$TMP/data"; then
			echo "run.sh: canary '$c' of canaries.txt is not in the data" >&2
			missing=1
		fi
	done <"$TMP/canaries"
	[[ $missing -eq 0 ]] || die "setup.sql and canaries.txt disagree"
	"$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d "$DB" >"$TMP/stats" 2>&1 <<-'SQL' || die "cannot read pg_stats"
		SELECT concat_ws(' ', most_common_vals::text, histogram_bounds::text, most_common_elems::text)
		  FROM pg_stats WHERE schemaname = 'vault';
	SQL
	LC_ALL=C grep -q -a -i -F -f "$TMP/patterns" "$TMP/stats" ||
		die "pg_stats of schema vault holds no canary (no ANALYZE in setup.sql?)"
}

# ------------------------------------------------------------------ running
# Run the script of attack $1 as role $2: $TMP/res/$1.{out,err,rc}.
run_block() {
	local r="$TMP/res/$1" rc=0
	PGAPPNAME=flp_attacks timeout "${FLP_ATTACK_SESSION_TIMEOUT:-120}" "$PSQL" -X -q -At -v ON_ERROR_STOP=1 -U "$2" -d "$DB" \
		-f "$r.sql" >"$r.out" 2>"$r.err" </dev/null || rc=$?
	echo "$rc" >"$r.rc"
}

# Run the attacks whose "id role" pairs are on stdin, $JOBS at a time.
run_all() {
	local id role running=0 done=0 total last=$SECONDS
	total="$(wc -l <"$TMP/queue")"
	while read -r id role; do
		run_block "$id" "$role" &
		running=$((running + 1))
		if [[ $running -ge $JOBS ]]; then
			wait -n
			running=$((running - 1))
			done=$((done + 1))
		fi
		# a sign of life at least every 15 seconds
		if [[ $((SECONDS - last)) -ge 15 ]]; then
			last=$SECONDS
			echo "  attacks: $done of $total run (${SECONDS}s)"
		fi
	done
	wait
}

# Attacks that ran into another one's locks (deadlock, lock timeout) are run
# again, alone.
RERUNS=0
rerun_lock_conflicts() {
	local id role
	while read -r id role; do
		if grep -a -q -E 'ERROR:  (40P01|55P03):' "$TMP/res/$id.err"; then
			RERUNS=$((RERUNS + 1))
			run_block "$id" "$role"
		fi
	done
}

# For every attack: $TMP/res/NNNN.all, its stdout and stderr without what
# quotes the query text ("LINE n: ..." and the caret line after it) and
# without psql's LOCATION lines (source positions in the server).
clean_outputs() {
	local id files=()
	while read -r id _; do
		: >"$TMP/res/$id.all"
		files+=("$TMP/res/$id.out" "$TMP/res/$id.err")
	done
	[[ ${#files[@]} -gt 0 ]] || return 0
	awk '
		FILENAME != current {
			if (all != "") close(all)
			current = FILENAME
			all = FILENAME
			sub(/\.(out|err)$/, ".all", all)
			skip_caret = 0
		}
		skip_caret && /^ *\^ *$/ { skip_caret = 0; next }
		{ skip_caret = 0 }
		/^LINE [0-9]+: / { skip_caret = 1; next }
		/^LOCATION: / { next }
		{ print >> all }
	' "${files[@]}"
}

# Read the outcome of every attack into LEAK_OF, FIRST_ERROR and REFUSED
# (associative arrays indexed by attack id), with one grep each.
declare -A LEAK_OF FIRST_ERROR REFUSED ADMIN_ERROR_OK
collect_outcomes() {
	local f m id
	while IFS= read -r f; do
		m="${f#*:}"
		f="${f%%:*}"
		id="${f##*/}"
		id="${id%.all}"
		[[ -n "${LEAK_OF[$id]:-}" ]] || LEAK_OF[$id]="$m"
	done < <(cd "$TMP/res" && LC_ALL=C grep -a -H -i -o -F -f "$TMP/patterns" -- *.all 2>/dev/null)
	while IFS= read -r f; do
		m="${f#*:}"
		id="${f%%.err:*}"
		m="$(sed -E 's/^psql:[^ ]*:[0-9]+: //' <<<"$m")"
		FIRST_ERROR[$id]="${m:0:160}"
	done < <(cd "$TMP/res" && grep -a -H -m 1 -E '(^|: )(ERROR|FATAL|PANIC): ' -- *.err 2>/dev/null)
	while IFS= read -r f; do
		REFUSED[${f%.err}]=1
	done < <(cd "$TMP/res" && grep -a -l -E '(^|: )ERROR:  42501: ' -- *.err 2>/dev/null)
	while IFS= read -r f; do
		ADMIN_ERROR_OK[${f%.sql}]=1
	done < <(cd "$TMP/blocks" && grep -l '^-- @admin-error' -- *.sql 2>/dev/null)
}

selected() {
	local name="$1" o
	[[ ${#ONLY[@]} -eq 0 ]] && return 0
	for o in "${ONLY[@]}"; do
		[[ "$o" == "$name" ]] && return 0
	done
	return 1
}

ATTEMPTS=0
LEAKS=0
FAILURES=0
NEWER=0
SERVER_NUM=0
EXPECTED_ERRORS=0

# One line per attempt that leaked or failed; one per blocked attempt only
# with --verbose (the summary counts them by kind).
declare -A BLOCKED=()
report() {
	local status="$1" kind="$2" name="$3" detail="$4"
	if [[ "$status" == ok ]]; then
		BLOCKED[$kind]=$((${BLOCKED[$kind]:-0} + 1))
		[[ $VERBOSE -eq 1 ]] || return 0
		status=blocked
	fi
	printf '%-7s %-6s %s%s\n' "$status" "$kind" "$name" "${detail:+: $detail}"
	if [[ $VERBOSE -eq 1 ]]; then
		sed -E -e 's/^psql:[^ ]*:[0-9]+: //' -e 's/^/    | /' "$TMP/res/$ID.all"
	fi
}

# Judge attack $ID (normal mode).  psql's exit status RC: 0 fine, 3 an SQL
# error (ON_ERROR_STOP); anything else is a broken session (1 psql error, 2
# connection lost -- a crashed backend --, 124 timeout).
judge() {
	local name="$1" kind="$2" expected="$3" got err="${FIRST_ERROR[$ID]:-}"
	if [[ "$kind" != admin && -n "${LEAK_OF[$ID]:-}" ]]; then
		LEAKS=$((LEAKS + 1))
		report LEAK "$kind" "$name" "${LEAK_OF[$ID]}"
		return
	fi
	if [[ $RC -ne 0 && $RC -ne 3 ]]; then
		FAILURES=$((FAILURES + 1))
		report FAIL "$kind" "$name" "psql exit status $RC (crash, timeout or psql error): $err"
		return
	fi
	case "$kind" in
	leak)
		report ok "$kind" "$name" ""
		;;
	refuse)
		if [[ -n "${REFUSED[$ID]:-}" ]]; then
			report ok "$kind" "$name" ""
		elif [[ -n "$err" ]]; then
			FAILURES=$((FAILURES + 1))
			report FAIL "$kind" "$name" "expected 42501, got $err"
		else
			FAILURES=$((FAILURES + 1))
			report FAIL "$kind" "$name" "expected 42501, ran without error"
		fi
		;;
	expect | sanity | admin)
		got="$(<"$TMP/res/$ID.out")"
		if [[ -n "$err" || $RC -ne 0 ]]; then
			FAILURES=$((FAILURES + 1))
			report FAIL "$kind" "$name" "expected '$expected', got ${err:-exit status $RC}"
		elif [[ "$got" != "$expected" ]]; then
			FAILURES=$((FAILURES + 1))
			got="${got:0:200}"
			report FAIL "$kind" "$name" "expected '$expected', got '${got//$'\n'/\\n}'"
		else
			report ok "$kind" "$name" ""
		fi
		;;
	esac
}

# Judge attack $ID run as atk_admin (--as-admin).
judge_as_admin() {
	local name="$1" kind="$2" err="${FIRST_ERROR[$ID]:-}"
	if [[ $RC -ne 0 && $RC -ne 3 ]]; then
		FAILURES=$((FAILURES + 1))
		report FAIL "$kind" "$name" "psql exit status $RC: $err"
	elif [[ -n "$err" ]]; then
		if [[ -n "${ADMIN_ERROR_OK[$ID]:-}" ]]; then
			EXPECTED_ERRORS=$((EXPECTED_ERRORS + 1))
			report ok "$kind" "$name" "errors as marked: $err"
		else
			FAILURES=$((FAILURES + 1))
			report FAIL "$kind" "$name" "$err"
		fi
	elif [[ -n "${ADMIN_ERROR_OK[$ID]:-}" ]]; then
		report ok "$kind" "$name" "marked @admin-error but ran without error"
	else
		report ok "$kind" "$name" ""
	fi
}

# Does block $1 need a newer server than this one ("-- @since NNNNNN", a
# server_version_num: SQL or a query tree field that older versions lack)?
needs_newer_server() {
	local since
	since="$(sed -n 's/^-- @since \([0-9]*\).*/\1/p' "$TMP/blocks/$1.sql" | head -1)"
	[[ -n "$since" && "$since" -gt "$SERVER_NUM" ]]
}

main() {
	local name kind expected role
	command -v md5sum >/dev/null || die "md5sum is missing"
	[[ -x "$PSQL" ]] || die "no psql at $PSQL"
	load_canaries
	parse_catalogue
	lint_catalogue
	for name in "${ONLY[@]}"; do
		cut -f2 "$TMP/manifest" | grep -xF -- "$name" >/dev/null || die "no attack named '$name'"
	done
	if [[ $SETUP_DB -eq 1 ]]; then
		setup_database
	fi
	check_canaries_planted
	SERVER_NUM="$("$PSQL" -X -q -At -d "$DB" -c 'SHOW server_version_num')" ||
		die "cannot read server_version_num"

	: >"$TMP/queue"
	while IFS=$'\t' read -r ID name kind expected; do
		selected "$name" || continue
		needs_newer_server "$ID" && continue
		role="$SUBJECT"
		# a block may name another subject: "-- @as ROLE" (e.g. the partner user)
		as="$(sed -n 's/^-- @as \([a-z_]*\).*/\1/p' "$TMP/blocks/$ID.sql" | head -1)"
		[[ -n "$as" ]] && role="$as"
		[[ "$kind" == admin || $AS_ADMIN -eq 1 ]] && role="$ADMIN"
		echo "$ID $role" >>"$TMP/queue"
	done <"$TMP/manifest"
	run_all <"$TMP/queue"
	rerun_lock_conflicts <"$TMP/queue"
	clean_outputs <"$TMP/queue"
	collect_outcomes

	while IFS=$'\t' read -r ID name kind expected; do
		selected "$name" || continue
		if needs_newer_server "$ID"; then
			NEWER=$((NEWER + 1))
			continue
		fi
		ATTEMPTS=$((ATTEMPTS + 1))
		RC="$(<"$TMP/res/$ID.rc")"
		if [[ $AS_ADMIN -eq 1 ]]; then
			judge_as_admin "$name" "$kind"
		else
			judge "$name" "$kind" "$expected"
		fi
	done <"$TMP/manifest"

	[[ $RERUNS -eq 0 ]] || echo "($RERUNS attacks were run again alone after a lock conflict)"
	if [[ $AS_ADMIN -eq 1 ]]; then
		echo "flp attacks as $ADMIN: $ATTEMPTS blocks, $FAILURES unexpected errors, $EXPECTED_ERRORS marked errors"
		[[ $FAILURES -eq 0 ]]
		return
	fi
	[[ $NEWER -eq 0 ]] || echo "($NEWER attacks are for newer PostgreSQL versions than $SERVER_NUM and were not run)"
	echo "blocked: ${BLOCKED[leak]:-0} reads of hidden values (masked or refused), ${BLOCKED[refuse]:-0} refusals (42501), ${BLOCKED[expect]:-0} exact answers, ${BLOCKED[sanity]:-0} sanity checks, ${BLOCKED[admin]:-0} administrator checks"
	echo "flp attacks: $ATTEMPTS attempts, $LEAKS leaks, $FAILURES failures"
	[[ $LEAKS -eq 0 && $FAILURES -eq 0 ]]
}

main
