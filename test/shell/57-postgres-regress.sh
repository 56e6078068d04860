#!/usr/bin/env bash
# test/shell/57-postgres-regress.sh -- PostgreSQL's own regression suite
# answers the same with flp as without it, but for the by-design differences
# listed, each with its reason, in test/pgregress/allowed.txt.
#
# The suite is the one of the source package of the server (Debian's
# postgresql-N, fetched with `apt-get source` through a private apt
# configuration whose deb-src lines are those of the archives `apt-cache
# policy` names for the installed package: the host's and the chroot's own
# apt sources are left alone).  The source version of the server's package
# is taken when the archive still has it, else the newest source of the same
# major version (the summary names it); when none can be downloaded (this
# machine's archive access serves the source of some versions only) the test
# says SKIPPED in its summary line and passes, or fails with
# FLP_PGREGRESS_REQUIRE=1.  From the source only
# src/test/regress is kept; at each run its regress.c is compiled with PGXS
# into regress.so (the C functions the suite loads, next to links to the
# server's own autoinc.so and refint.so); pg_regress is the one of
# postgresql-server-dev-N.
#
# Two runs of the whole parallel schedule, each in a throwaway cluster of its
# own (test/lib/cluster.sh: C locale, UTF8) as the postgres OS user:
#   without flp  shared_preload_libraries = ''
#   with flp     shared_preload_libraries = 'flp', CREATE EXTENSION flp in
#                the regression database, and one governed table there (in a
#                schema of its own), so that flp's hooks do their work
# Each run lets pg_regress create the database "regression" as it always does
# (an empty run), then (with flp: the extension) runs the schedule with
# --use-existing.  test/pgregress/compare.py compares the two runs' outputs
# test by test: every differing line must match an allow-list entry of that
# test, and every entry must match a line (no stale entry).  A server crash
# (a "terminated by signal", TRAP or PANIC line in a server log) fails too.
#
# Cache (FLP_PGREGRESS_CACHE, default /var/cache/flp-pgregress; inside a
# chroot of test/versions.sh that is the chroot's own): one directory per
# server package and exact version, postgresql-N/VERSION/, holding
#   source          the source package and version the suite came from
#   suite/          src/test/regress of that source
#   baseline-KEY/   the run without flp (results/, regression.log: what
#                   pg_regress printed, seconds),
#                   KEY = a hash of this script and test/lib/cluster.sh
# Directories of other versions of the same package are removed.  The run
# without flp is made once per KEY: it depends only on the server, the suite
# and how a run is made.  FLP_PGREGRESS_FRESH=1 makes it again.
#
# Ends with
#   flp postgres-regress: PostgreSQL V (suite of SRC): N tests, ... 
# Environment: FLP_ROOT, FLP_PG_VERSION, FLP_PG_BIN (as test/run-tests.sh sets
# them; the caller's cluster is not used), FLP_KEEP_CLUSTER=1 (keep the
# clusters and both runs' outputs).  Needs root the first time (apt-get).
# Exit 0 = pass, 1 = fail.
#
# Two runs of the suite and the first fetch exceed run-tests.sh's default
# 300 s on 2 cores:
# flp-test-timeout: 900
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FLP_ROOT="${FLP_ROOT:-$(cd "$HERE/../.." && pwd)}"
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"
export FLP_PG_BIN

NAME=57-postgres-regress
V="$FLP_PG_VERSION"
PKG="postgresql-$V"
PG_CONFIG="$FLP_PG_BIN/pg_config"
CACHE="${FLP_PGREGRESS_CACHE:-/var/cache/flp-pgregress}"
ALLOWED="$FLP_ROOT/test/pgregress/allowed.txt"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
TMP="$(mktemp -d /tmp/flp-pgregress.XXXXXX)"
chmod 0755 "$TMP"
CLUSTERS=()
START=$SECONDS

fail() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

# The suite cannot be had (its source is not in a reachable archive): say so
# in the summary line and pass, unless FLP_PGREGRESS_REQUIRE=1.
skip() {
	echo "flp postgres-regress: SKIPPED on $("$PG_CONFIG" --version): $*"
	[[ -z "${FLP_PGREGRESS_REQUIRE:-}" ]] || fail "the suite is required (FLP_PGREGRESS_REQUIRE=1)"
	echo "ok $NAME (skipped)"
	exit 0
}

say() {
	echo "  $* [$((SECONDS - START))s]"
}

cleanup() {
	local dir
	for dir in "${CLUSTERS[@]}"; do
		flp_cluster_stop "$dir"
	done
	if [[ -n "${FLP_KEEP_CLUSTER:-}" ]]; then
		echo "FLP_KEEP_CLUSTER set: keeping $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------ the suite

# apt-get with a private configuration under $CACHE/apt: only the deb-src
# lines written there, its own lists and downloads.
papt() {
	local a="$CACHE/apt"
	"$1" -q -o Dir::Etc::SourceList="$a/sources.list" \
		-o Dir::Etc::SourceParts="$a/none" -o Dir::State::Lists="$a/lists" \
		-o Dir::Cache="$a/cache" -o APT::Sandbox::User=root "${@:2}"
}

# The deb-src lines for the archives apt-cache policy names for $PKG.
write_sources() {
	local opts=""
	[[ ! -r "$KEYRING" ]] || opts="[signed-by=$KEYRING] "
	mkdir -p "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial" "$CACHE/apt/none"
	apt-cache policy "$PKG" |
		awk -v o="$opts" '$2 ~ /^[a-z]+:\/\// && $3 ~ /\// && $NF == "Packages" {
			split($3, s, "/"); print "deb-src " o $2 " " s[1] " " s[2] }' |
		sort -u >"$CACHE/apt/sources.list"
	[[ -s "$CACHE/apt/sources.list" ]] || fail "apt-cache policy $PKG names no archive"
}

# The source versions to try, best first: the package's own, then the
# others of the same major version, newest first.
source_candidates() {
	local src="$1" want="$2" major="${2%%[.~]*}" v
	papt apt-cache showsrc "$src" 2>/dev/null | awk '/^Version:/ { print $2 }' |
		sort -u >"$TMP/available"
	grep -qxF "$want" "$TMP/available" && echo "$want"
	sort -rV "$TMP/available" | while read -r v; do
		[[ "$v" != "$want" && "${v%%[.~]*}" == "$major" ]] && echo "$v"
	done
}

# Fetch the suite into $1/suite and write $1/source.
fetch_suite() {
	local dir="$1" src want ver dl got=""
	src="$(dpkg-query -W -f='${source:Package}' "$PKG")" || fail "$PKG is not installed"
	want="$(dpkg-query -W -f='${source:Version}' "$PKG")"
	[[ $EUID -eq 0 ]] || fail "need root to fetch the source of $PKG (apt-get source)"
	command -v dpkg-source >/dev/null || fail "dpkg-source missing (Debian's dpkg-dev)"
	write_sources
	papt apt-get update >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log" >&2; fail "apt-get update (deb-src) failed"; }
	dl="$TMP/source"
	mkdir -p "$dl"
	for ver in $(source_candidates "$src" "$want"); do
		if (cd "$dl" && papt apt-get source --download-only "$src=$ver") >>"$TMP/apt.log" 2>&1; then
			got="$ver"
			break
		fi
		say "the source $src $ver cannot be downloaded"
		rm -f "$dl"/*
	done
	if [[ -z "$got" ]]; then
		tail -n 20 "$TMP/apt.log" | sed 's/^/    /'
		skip "no source of $src ($want or another of the same major version) can be downloaded from the archives apt knows for $PKG"
	fi
	(cd "$dl" && dpkg-source -x ./*.dsc tree) >>"$TMP/apt.log" 2>&1 ||
		{ cat "$TMP/apt.log" >&2; fail "dpkg-source -x failed"; }
	[[ -f "$dl/tree/src/test/regress/parallel_schedule" ]] || fail "no src/test/regress in $src $got"
	rm -rf "$dir/suite"
	cp -a "$dl/tree/src/test/regress" "$dir/suite"
	rm -rf "$dl"
	echo "$src $got" >"$dir/source"
	papt apt-get clean >/dev/null 2>&1 || true
}

# Compile the suite's regress.c ($1/suite) with PGXS into $TMP/lib/regress.so.
build_regress_so() {
	local dir="$1" mod
	mkdir -p "$TMP/lib"
	cp "$dir/suite/regress.c" "$TMP/lib/"
	# shellcheck disable=SC2016 # make's $(...), not bash's
	printf 'MODULES = regress\nPGXS := $(shell $(PG_CONFIG) --pgxs)\ninclude $(PGXS)\n' >"$TMP/lib/Makefile"
	make -s -C "$TMP/lib" PG_CONFIG="$PG_CONFIG" with_llvm=no >"$TMP/make.log" 2>&1 ||
		{ cat "$TMP/make.log" >&2; fail "compiling regress.so failed"; }
	rm -f "$TMP/lib/regress.o"
	# the triggers test loads contrib/spi's autoinc and refint from the same
	# directory: the server's own
	for mod in autoinc refint; do
		[[ ! -f "$("$PG_CONFIG" --pkglibdir)/$mod.so" ]] ||
			ln -sf "$("$PG_CONFIG" --pkglibdir)/$mod.so" "$TMP/lib/$mod.so"
	done
}

# Prepare (or reuse) the cache directory of the installed server package;
# sets DIR.
prepare_cache() {
	local ver dir old
	ver="$(dpkg-query -W -f='${Version}' "$PKG")" || fail "$PKG is not installed"
	dir="$CACHE/$PKG/$ver"
	if [[ ! -f "$dir/source" || ! -d "$dir/suite" ]]; then
		for old in "$CACHE/$PKG"/*; do
			[[ -d "$old" && "$old" != "$dir" ]] && rm -rf "$old"
		done
		mkdir -p "$dir"
		fetch_suite "$dir"
		chmod -R a+rX "$CACHE"
	fi
	DIR="$dir"
}

# ------------------------------------------------------------ the runs


# The SQL that makes the regression database one where flp works: the
# extension and a governed table (in a schema the suite does not know).
FLP_SETUP="
CREATE EXTENSION flp;
CREATE SCHEMA flp_regress_probe;
CREATE TABLE flp_regress_probe.governed (id int PRIMARY KEY, secret text);
SET client_min_messages = warning;
SELECT flp.protect('flp_regress_probe.governed');
"

# run_suite LABEL PRELOAD SUITE LIB: the whole schedule in a fresh cluster;
# the outputs in $TMP/LABEL, the seconds the schedule took in $TMP/LABEL/seconds.
run_suite() {
	local label="$1" preload="$2" suite="$3" lib="$4" out="$TMP/$1" t0 rc=0 args
	flp_cluster_start "" "$preload" || fail "cannot start the cluster $label"
	CLUSTERS+=("$FLP_CLUSTER_DIR")
	mkdir -p "$out"
	[[ $EUID -ne 0 ]] || chown postgres: "$out"
	args=(--inputdir="$suite" --outputdir="$out" --bindir="$FLP_PG_BIN"
		--dlpath="$lib" --host="$PGHOST" --port="$PGPORT" --user=postgres
		--dbname=regression)
	# no test: pg_regress creates the database with its settings, nothing more
	flp_as_postgres "$out" "$PGXS_REGRESS" "${args[@]}" >"$out/create.log" 2>&1 ||
		{ cat "$out/create.log" >&2; fail "pg_regress could not create the regression database ($label)"; }
	if [[ "$preload" != none ]]; then
		"$FLP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d regression -c "$FLP_SETUP" >/dev/null ||
			fail "the flp setup of the regression database failed"
	fi
	say "$label: running the parallel schedule"
	t0=$SECONDS
	flp_as_postgres "$out" "$PGXS_REGRESS" "${args[@]}" --use-existing \
		--schedule="$suite/parallel_schedule" --max-concurrent-tests=20 \
		>"$out/regression.log" 2>&1 || rc=$?
	echo $((SECONDS - t0)) >"$out/seconds"
	tail -n 3 "$out/regression.log" | sed 's/^/    /'
	[[ -d "$out/results" ]] || { cat "$out/regression.log" >&2; fail "pg_regress wrote no results ($label, exit $rc)"; }
	if grep -E 'terminated by signal|TRAP:|PANIC:' "$FLP_CLUSTER_DIR/log/postgresql.log" >"$out/crashes"; then
		cat "$out/crashes" >&2
		fail "the server crashed during the run $label"
	fi
	flp_cluster_stop "$FLP_CLUSTER_DIR"
}

# ------------------------------------------------------------ main

[[ -x "$PG_CONFIG" ]] || fail "no $PG_CONFIG"
PGXS_REGRESS="$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress"
[[ -x "$PGXS_REGRESS" ]] || fail "no pg_regress at $PGXS_REGRESS (postgresql-server-dev-$V)"
[[ -r "$ALLOWED" ]] || fail "no allow-list $ALLOWED"
command -v python3 >/dev/null || fail "python3 missing"

mkdir -p "$CACHE" || fail "cannot create $CACHE"
exec 8>"$CACHE/lock"
flock 8
prepare_cache
build_regress_so "$DIR"
SOURCE="$(cat "$DIR/source")"
SERVER="$("$PG_CONFIG" --version)"
SERVER="${SERVER%% (*}"
say "$SERVER ($PKG $(dpkg-query -W -f='${Version}' "$PKG")), suite of $SOURCE ($DIR)"

KEY="$(cat "$0" "$FLP_ROOT/test/lib/cluster.sh" | md5sum | cut -c1-12)"
BASE="$DIR/baseline-$KEY"
if [[ -n "${FLP_PGREGRESS_FRESH:-}" || ! -f "$BASE/seconds" ]]; then
	rm -rf "$DIR"/baseline-*
	run_suite without none "$DIR/suite" "$TMP/lib"
	mkdir -p "$BASE.new"
	cp -a "$TMP/without/results" "$TMP/without/regression.log" "$TMP/without/seconds" "$BASE.new/"
	[[ ! -f "$TMP/without/regression.diffs" ]] || cp "$TMP/without/regression.diffs" "$BASE.new/"
	mv "$BASE.new" "$BASE"
	BASE_NOTE="$(cat "$BASE/seconds") s"
else
	BASE_NOTE="cached, $(cat "$BASE/seconds") s when made"
fi
exec 8>&-

run_suite with flp "$DIR/suite" "$TMP/lib"
FLP_SECONDS="$(cat "$TMP/with/seconds")"

# how far the suite's own expected outputs are from this server (a source
# older than the server can differ a little): the same in both runs
# (pg_regress 15 prints "name ... FAILED", 16 and later "not ok N - name")
BASE_FAILED="$(grep -cE '^not ok |\.\.\. FAILED' "$BASE/regression.log")"

python3 "$FLP_ROOT/test/pgregress/compare.py" "$BASE/results" "$TMP/with/results" \
	"$ALLOWED" "$V" >"$TMP/compare.log"
rc=$?
grep -v '^summary:' "$TMP/compare.log"
summary="$(grep '^summary:' "$TMP/compare.log")"
summary="${summary#summary: }"
echo "flp postgres-regress: $SERVER (suite of $SOURCE): $summary;" \
	"$BASE_FAILED tests off the suite's expected output in both runs;" \
	"without flp $BASE_NOTE, with flp $FLP_SECONDS s"
[[ $rc -eq 0 ]] || fail "PostgreSQL's regression suite differs with flp (above)"
echo "ok $NAME"
