#!/usr/bin/env bash
# test/versions.sh -- run flp's tests against PostgreSQL 17, 18 and 19 in a
# Debian chroot (the host, Debian 12, has only 15), and against an
# assert-enabled build of 18 (entry 18-assert).
#
#   bash test/versions.sh [VERSION...]     # default: 17 19 18 18-assert
#   bash test/versions.sh --bench [VERSION...]
#                                          # the benchmark (test/bench/run.sh,
#                                          # FLP_BENCH_* passed on) per version
#   bash test/versions.sh --instructions [VERSION...]
#                                          # test/bench/instructions.sh (CPU
#                                          # instructions per query) per version
#   bash test/versions.sh --smoke [VERSION...]
#                                          # no flp: check the chroot's tool
#                                          # chain per version (pg_config,
#                                          # a tiny PGXS module, a cluster)
#   bash test/versions.sh --prepare [VERSION...]
#                                          # only prepare (and cache) the
#                                          # roots (not the assert build: a
#                                          # test run builds it in the
#                                          # background while 17 and 19 run);
#                                          # run-tests.sh runs this in the
#                                          # background while the host's
#                                          # suites run
#   bash test/versions.sh --clean          # delete the cached chroot
#   bash test/versions.sh 17 -- NAME...    # only these tests (as run-tests.sh)
#
# Needs root. Prepares (once) and caches one `debootstrap --variant=minbase`
# root per version under FLP_VERSIONS_DIR (default /var/cache/flp-versions),
# FLP_VERSIONS_DIR/pgN: postgresql-17 from trixie in a trixie root,
# postgresql-18 from sid in a sid root, postgresql-19 from experimental in a
# sid root (experimental's packages only where needed). One root for all three
# does not work: sid's postgresql-18 needs sid's libc, which trixie's
# libc-bin and locales refuse. For each version it copies the checkout (the working tree, uncommitted changes
# included, without .git) to /build/pgN inside the root and runs
# `bash test/run-tests.sh` there with FLP_PG_VERSION=N (see test/lib/), then
# prints one line per version and `N passed, M failed`; exits non-zero on any
# failure. Full logs: FLP_VERSIONS_DIR/logs/.
#
# 18-assert runs in the pg18 root: PostgreSQL built from Debian's source
# package of the installed postgresql-18 (`apt-get source`, from sid) with
# --enable-cassert --enable-debug, installed under /opt/postgresql-18-assert inside
# the root (pg_config, PGXS, pg_regress, isolationtester, pg_isolation_regress)
# and cached there, stamped with the source version (rebuilt when
# postgresql-18 changes, e.g. after FLP_VERSIONS_REFRESH=1); build log:
# FLP_VERSIONS_DIR/logs/pg18-assert-build.log. Its run has FLP_PG_BIN
# pointing at that build and, unless tests are named after "--", runs the
# regress tests, the isolation specs and the attack suite (30-attacks). A
# failed assertion crashes the backend: the suite fails and run-tests.sh
# prints the server log's TRAP lines with their backtrace.
#
# Environment: FLP_VERSIONS_DIR (cache dir), FLP_VERSIONS_MIRROR (default
# http://deb.debian.org/debian), FLP_VERSIONS_TIMEOUT (seconds per version for
# the test run, default 1200), FLP_VERSIONS_REFRESH=1 (apt-get update +
# upgrade the cached root before the run).
#
# The mounts the chroot needs (/proc, /sys, /dev, /dev/pts, a tmpfs /dev/shm)
# are undone on every exit path (EXIT trap); the root is never deleted while
# anything is mounted under it.
set -euo pipefail

FLP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${FLP_VERSIONS_DIR:-/var/cache/flp-versions}"
MIRROR="${FLP_VERSIONS_MIRROR:-http://deb.debian.org/debian}"
RUN_TIMEOUT="${FLP_VERSIONS_TIMEOUT:-1200}"
ROOT=""   # the root of the version at hand: $CACHE/pgN
LOGS="$CACHE/logs"
# Bump when the recipe of the root (sources, pins, base packages) changes: a
# root prepared by another recipe is rebuilt.
RECIPE=2
STAMP_DIR=etc/flp-versions
# (18 and its assert build last: the build runs while 17 and 19 run)
DEFAULT_VERSIONS=(17 19 18 18-assert)
# Packages every version's test run needs besides the server (what
# test/lib/deps.sh and the shell tests' flp_deps_ensure install on the host).
BASE_PACKAGES=(
	postgresql-common build-essential libipc-run-perl python3-psycopg
	sqlsmith pgbouncer nodejs npm ca-certificates procps
)
MOUNTED=()
declare -A TIMES=()

say() { echo "versions.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# The major version of a matrix entry (N, or 18-assert: the assert-enabled
# build of postgresql-18's source, in the pg18 root).
major_of() {
	case "$1" in
	17 | 18 | 19) echo "$1" ;;
	18-assert) echo 18 ;;
	*) return 1 ;;
	esac
}
is_assert() { [[ "$1" == *-assert ]]; }

# The server programs of a matrix entry, inside its root.
bin_of() {
	if is_assert "$1"; then
		echo "$ASSERT_PREFIX/bin"
	else
		echo "/usr/lib/postgresql/$1/bin"
	fi
}

# The distribution of version N's root, and the archive carrying postgresql-N.
suite_of() {
	case "$1" in
	17) echo trixie ;;
	18 | 19) echo sid ;;
	*) return 1 ;;
	esac
}
archive_of() {
	case "$1" in
	19) echo experimental ;;
	*) suite_of "$1" ;;
	esac
}

# Run COMMAND... inside the root, with a clean environment.
in_root() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
		chroot "$ROOT" "$@"
}

apt_in_root() {
	in_root apt-get -q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		--no-install-recommends "$@" </dev/null
}

# Time a step: timed NAME COMMAND...
timed() {
	local name="$1" start rc=0
	shift
	start=$(date +%s)
	"$@" || rc=$?
	TIMES[$name]=$(($(date +%s) - start))
	echo "$name: ${TIMES[$name]} s (exit $rc)" >>"$LOGS/timings.log"
	return $rc
}

# ------------------------------------------------------------------ mounts

# Print the mount points under DIR (deepest first).
mounts_under() {
	findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1 || $0 == d' | sort -r
}

do_mount() {
	local target="$ROOT/$1"
	shift
	mkdir -p "$target"
	mount "$@" "$target"
	MOUNTED+=("$target")
}

mount_root() {
	[[ -z "$(mounts_under "$ROOT")" ]] || unmount_under "$ROOT"
	do_mount proc -t proc proc
	do_mount sys -t sysfs sysfs
	do_mount dev --bind /dev
	do_mount dev/pts --bind /dev/pts
	do_mount dev/shm -t tmpfs -o mode=1777,nosuid,nodev shm
}

# Stop what still runs inside DIR (a root, or the whole cache: a server a
# killed test left behind, a build), then unmount everything under it. Never
# fails; safe to call twice.
unmount_under() {
	local dir="$1" pid link target i
	[[ -d "$dir" ]] || return 0
	for i in 1 2 3; do
		local found=0
		for pid in /proc/[0-9]*; do
			link="$(readlink "$pid/root" 2>/dev/null)" || continue
			if [[ "$link" == "$dir" || "$link" == "$dir/"* ]]; then
				found=1
				kill "$([[ $i -lt 3 ]] && echo -TERM || echo -KILL)" "${pid#/proc/}" 2>/dev/null
			fi
		done
		[[ $found -eq 1 ]] || break
		sleep 2
	done
	while read -r target; do
		[[ -n "$target" ]] || continue
		umount "$target" 2>/dev/null || umount -l "$target" 2>/dev/null ||
			say "cannot unmount $target"
	done < <(mounts_under "$dir")
	return 0
}

unmount_all() {
	unmount_under "$CACHE"
	MOUNTED=()
}

# Delete DIR (the root or a half-made one) unless something is mounted in it.
safe_rm_root() {
	local dir="$1"
	[[ -e "$dir" ]] || return 0
	if [[ -n "$(mounts_under "$dir")" ]]; then
		die "refusing to delete $dir: still mounted: $(mounts_under "$dir" | tr '\n' ' ')"
	fi
	rm -rf --one-file-system "$dir"
}

cleanup() {
	local rc=$?
	unmount_all
	exit $rc
}

# ------------------------------------------------------------------ the root

write_apt_config() {
	local suite="$1"
	echo "deb $MIRROR $suite main" >"$ROOT/etc/apt/sources.list"
	if [[ "$suite" == sid ]]; then
		# experimental is NotAutomatic: used only for what is asked from it
		echo "deb $MIRROR experimental main" >>"$ROOT/etc/apt/sources.list"
	fi
	cat >"$ROOT/etc/apt/apt.conf.d/90flp-versions" <<-EOF
		Acquire::Check-Valid-Until "false";
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
		Acquire::Retries "3";
	EOF
	# no fsync per unpacked file: the root is a cache that a failed preparation
	# rebuilds, and fsyncs of thousands of files would stall the host's test
	# run beside it (run-tests.sh prepares in the background)
	mkdir -p "$ROOT/etc/dpkg/dpkg.cfg.d"
	echo force-unsafe-io >"$ROOT/etc/dpkg/dpkg.cfg.d/flp-unsafe-io"
	# no service may start in the root
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
}

# debootstrap a fresh root of SUITE (into ROOT.new, renamed when complete).
bootstrap() {
	local suite="$1" new="$ROOT.new"
	command -v debootstrap >/dev/null || {
		say "installing debootstrap on the host"
		DEBIAN_FRONTEND=noninteractive apt-get -q -y update >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get -q -y install debootstrap \
				</dev/null >/dev/null
	} || die "cannot install debootstrap"
	safe_rm_root "$new"
	say "debootstrap $suite into $new (log: $LOGS/bootstrap-$suite.log)"
	debootstrap --variant=minbase "$suite" "$new" "$MIRROR" \
		>"$LOGS/bootstrap-$suite.log" 2>&1 ||
		die "debootstrap failed; see $LOGS/bootstrap-$suite.log"
	mv "$new" "$ROOT"
}

# The stamp of what the root holds: one file per part (base, pgN), written
# after the part was installed, holding the recipe and the package versions.
stamp_file() { echo "$ROOT/$STAMP_DIR/$1"; }

stamp_ok() {
	local f
	f="$(stamp_file "$1")"
	[[ -f "$f" ]] && head -n 1 "$f" | grep -qx "recipe $RECIPE"
}

write_stamp() {
	local part="$1"
	shift
	mkdir -p "$ROOT/$STAMP_DIR"
	{
		echo "recipe $RECIPE"
		# shellcheck disable=SC2016 # dpkg-query's fields, not bash's
		in_root dpkg-query -W -f='${Package} ${Version}\n' "$@"
	} >"$(stamp_file "$part")"
}

APT_UPDATED=0
apt_update_once() {
	[[ $APT_UPDATED -eq 0 ]] || return 0
	cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
	apt_in_root update >>"$LOGS/apt.log" 2>&1 || die "apt-get update failed; see $LOGS/apt.log"
	APT_UPDATED=1
}

install_base() {
	say "installing the base packages (log: $LOGS/apt.log)"
	write_apt_config "$1"
	apt_update_once
	apt_in_root install postgresql-common >>"$LOGS/apt.log" 2>&1 ||
		die "installing postgresql-common failed; see $LOGS/apt.log"
	# before any server is installed: no 'main' cluster
	sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
		"$ROOT/etc/postgresql-common/createcluster.conf"
	grep -qx 'create_main_cluster = false' "$ROOT/etc/postgresql-common/createcluster.conf" ||
		echo 'create_main_cluster = false' >>"$ROOT/etc/postgresql-common/createcluster.conf"
	apt_in_root install "${BASE_PACKAGES[@]}" >>"$LOGS/apt.log" 2>&1 ||
		die "installing ${BASE_PACKAGES[*]} failed; see $LOGS/apt.log"
	apt_in_root clean
	write_stamp base "${BASE_PACKAGES[@]}"
}

# Install postgresql-N and postgresql-server-dev-N from their archive.
install_version() {
	local v="$1" archive pkgs
	archive="$(archive_of "$v")"
	# pgaudit: test/shell/45-neighbours-first.sh and 46-neighbours-last.sh
	pkgs=("postgresql-$v" "postgresql-server-dev-$v" "postgresql-$v-pgaudit")
	say "installing ${pkgs[*]} from $archive (log: $LOGS/apt.log)"
	apt_update_once
	if [[ "$archive" == "$(suite_of "$v")" ]]; then
		apt_in_root install "${pkgs[@]}" >>"$LOGS/apt.log" 2>&1
	else
		# pkg/archive takes only the named packages from there, not what
		# they need from the same source: name the client and libpq too
		apt_in_root install "${pkgs[@]/%//$archive}" "postgresql-client-$v/$archive" \
			"libpq-dev/$archive" "libpq5/$archive" >>"$LOGS/apt.log" 2>&1
	fi || { say "installing ${pkgs[*]} failed; see $LOGS/apt.log"; return 1; }
	apt_in_root clean
	if in_root pg_lsclusters -h 2>/dev/null | grep -q .; then
		say "warning: the package created a cluster: $(in_root pg_lsclusters -h)"
	fi
	write_stamp "pg$v" "${pkgs[@]}"
}

# ------------------------------------------------------------ the assert build

# The 18-assert entry: PostgreSQL built with --enable-cassert from Debian's
# source package of the installed postgresql-18 (sid), inside the pg18 root,
# installed under ASSERT_PREFIX with its PGXS, pg_regress, isolationtester and
# pg_isolation_regress. Cached: ASSERT_STAMP names the recipe, the source
# version and the binary package it follows; a new postgresql-18 (after
# FLP_VERSIONS_REFRESH=1) or a new ASSERT_RECIPE rebuilds it. The source
# package comes through apt-get source with a deb-src list and package lists
# of its own (ASSERT_APT), so the root's own apt state is not touched.
ASSERT_RECIPE=3
# "postgresql" in the prefix: then the install keeps upstream's flat layout
# under it; otherwise Debian's 50-per-version-dirs patch sets pkglibdir
# (server modules, PGXS) to /usr/lib/postgresql/18/lib, the packaged server's
ASSERT_PREFIX=/opt/postgresql-18-assert
ASSERT_STAMP="$ASSERT_PREFIX/flp-assert.stamp"
ASSERT_SRC=/build/pg18-assert-src
ASSERT_STAGE=/build/pg18-assert-stage
# only what the tests need: the core server and client programs, and the two
# contrib modules the regress suites create (pg_stat_statements and
# pgrowlocks: the trust suite checks that their counters are refused), no ICU, readline, LLVM (JIT), SSL,
# LZ4 or ZSTD; -O0, as assertions need no optimiser: the build takes 145 s on 2
# idle cores instead of 322 s with -O2
ASSERT_CONFIGURE=(--enable-cassert --enable-debug --without-icu --without-readline CFLAGS=-O0)
ASSERT_BUILD_PACKAGES=(bison flex dpkg-dev zlib1g-dev)
ASSERT_APT=(
	-o Dir::Etc::SourceList=/etc/flp-versions/assert-sources.list
	-o Dir::Etc::SourceParts=/etc/flp-versions/assert-sources.d
	-o Dir::State::Lists=/var/lib/flp-versions/assert-lists
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
)

# The version of the installed postgresql-18 in the root.
installed_pg18() {
	# shellcheck disable=SC2016 # dpkg-query's field
	in_root dpkg-query -W -f='${Version}' postgresql-18 2>/dev/null
}

assert_ok() {
	local f="$ROOT$ASSERT_STAMP" want
	want="$(installed_pg18)" || return 1
	[[ -f "$f" && -x "$ROOT$ASSERT_PREFIX/bin/postgres" ]] &&
		head -n 1 "$f" | grep -qx "recipe $ASSERT_RECIPE" &&
		grep -qx "binary postgresql-18 $want" "$f"
}

# Build and install the assert-enabled server (log: LOGS/pg18-assert-build.log).
build_assert() {
	local log="$LOGS/pg18-assert-build.log" want src ver dir
	want="$(installed_pg18)" || { say "postgresql-18 is not installed in $ROOT"; return 1; }
	say "building PostgreSQL $want with assertions into $ASSERT_PREFIX (log: $log; takes minutes)"
	: >"$log"
	apt_update_once
	apt_in_root install "${ASSERT_BUILD_PACKAGES[@]}" >>"$log" 2>&1 ||
		{ say "installing ${ASSERT_BUILD_PACKAGES[*]} failed; see $log"; return 1; }
	apt_in_root clean
	mkdir -p "$ROOT/etc/flp-versions/assert-sources.d" "$ROOT/var/lib/flp-versions/assert-lists/partial"
	echo "deb-src $MIRROR sid main" >"$ROOT/etc/flp-versions/assert-sources.list"
	apt_in_root "${ASSERT_APT[@]}" update >>"$log" 2>&1 ||
		{ say "apt-get update (deb-src) failed; see $log"; return 1; }
	rm -rf --one-file-system "$ROOT$ASSERT_SRC" "$ROOT$ASSERT_STAGE"
	mkdir -p "$ROOT$ASSERT_SRC"
	# the source of the installed binary package; sid's current one if the
	# archive no longer has it
	src="postgresql-18=$want"
	# shellcheck disable=SC2016 # $0/$@ for bash -c
	if ! in_root bash -c 'cd "$0" && exec "$@"' "$ASSERT_SRC" \
		apt-get -q -y "${ASSERT_APT[@]}" source --only-source "$src" >>"$log" 2>&1; then
		say "the source of postgresql-18 $want is gone from the archive; building sid's current one"
		src=postgresql-18
		# shellcheck disable=SC2016 # $0/$@ for bash -c
		in_root bash -c 'cd "$0" && exec "$@"' "$ASSERT_SRC" \
			apt-get -q -y "${ASSERT_APT[@]}" source --only-source "$src" >>"$log" 2>&1 ||
			{ say "apt-get source postgresql-18 failed; see $log"; return 1; }
	fi
	dir="$(find "$ROOT$ASSERT_SRC" -mindepth 1 -maxdepth 1 -type d -name 'postgresql-18*' | head -n 1)"
	[[ -n "$dir" ]] || { say "no unpacked source in $ASSERT_SRC; see $log"; return 1; }
	ver="$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$dir/debian/changelog")"
	dir="${dir#"$ROOT"}"
	# shellcheck disable=SC2016 # for the inner bash
	in_root bash -c 'set -e; cd "$1"; stage="$2"; shift 2
		./configure --prefix="$0" "$@"
		make -s -j "$(nproc)"
		make -s -j "$(nproc)" -C src/test/isolation
		make -s -C contrib/pg_stat_statements
		make -s -C contrib/pgrowlocks
		make -s install DESTDIR="$stage"
		make -s -C src/test/isolation install DESTDIR="$stage"
		make -s -C contrib/pg_stat_statements install DESTDIR="$stage"
		make -s -C contrib/pgrowlocks install DESTDIR="$stage"' \
		"$ASSERT_PREFIX" "$dir" "$ASSERT_STAGE" "${ASSERT_CONFIGURE[@]}" >>"$log" 2>&1 ||
		{ say "building the assert server failed; see $log"; return 1; }
	# everything under the prefix, the test programs in its PGXS
	local outside
	outside="$(cd "$ROOT$ASSERT_STAGE" && find . -mindepth 1 -maxdepth 2 ! -path ./opt ! -path ".$ASSERT_PREFIX")"
	[[ -z "$outside" ]] ||
		{ say "the build installed outside $ASSERT_PREFIX: $outside"; return 1; }
	[[ -x "$ROOT$ASSERT_STAGE$ASSERT_PREFIX/lib/pgxs/src/test/isolation/pg_isolation_regress" &&
		-x "$ROOT$ASSERT_STAGE$ASSERT_PREFIX/lib/pgxs/src/test/isolation/isolationtester" &&
		-x "$ROOT$ASSERT_STAGE$ASSERT_PREFIX/lib/pgxs/src/test/regress/pg_regress" ]] ||
		{ say "the build installed no pg_regress, pg_isolation_regress or isolationtester; see $log"; return 1; }
	rm -rf --one-file-system "$ROOT$ASSERT_PREFIX"
	mkdir -p "$(dirname "$ROOT$ASSERT_PREFIX")"
	mv "$ROOT$ASSERT_STAGE$ASSERT_PREFIX" "$ROOT$ASSERT_PREFIX"
	rm -rf --one-file-system "$ROOT$ASSERT_SRC" "$ROOT$ASSERT_STAGE"
	{
		echo "recipe $ASSERT_RECIPE"
		echo "source postgresql-18 $ver"
		echo "binary postgresql-18 $want"
		echo "configure ${ASSERT_CONFIGURE[*]}"
	} >"$ROOT$ASSERT_STAMP"
}

# Prepare (or reuse) and mount the root of matrix entry V; sets ROOT.
prepare() {
	local entry="$1" v suite
	v="$(major_of "$entry")"
	suite="$(suite_of "$v")"
	ROOT="$CACHE/pg$v"
	APT_UPDATED=0
	if [[ -d "$ROOT" ]] && ! stamp_ok base; then
		say "$ROOT is not a complete root of recipe $RECIPE; rebuilding it"
		unmount_under "$ROOT"
		safe_rm_root "$ROOT"
	fi
	if [[ ! -d "$ROOT" ]]; then
		timed "bootstrap $v" bootstrap "$suite"
	fi
	mount_root
	if ! stamp_ok base; then
		timed "base $v" install_base "$suite"
	fi
	if [[ "${FLP_VERSIONS_REFRESH:-}" == 1 ]]; then
		say "refreshing the root (apt-get update + upgrade)"
		apt_update_once
		apt_in_root upgrade >>"$LOGS/apt.log" 2>&1 || die "upgrade failed; see $LOGS/apt.log"
		apt_in_root clean
		rm -f "$ROOT/$STAMP_DIR"/pg*
		write_stamp base "${BASE_PACKAGES[@]}"
	fi
	# (a root of an older package list gets the packages it lacks)
	stamp_ok "pg$v" && grep -q "^postgresql-$v-pgaudit " "$(stamp_file "pg$v")" ||
		timed "install $v" install_version "$v"
	if is_assert "$entry" && [[ $BUILD_ASSERT == 1 ]] && ! assert_ok; then
		timed "build $entry" build_assert
	fi
	return 0
}

# The assert build in the background, while the entries of other roots run
# (tests mode; it takes minutes of CPU): the pg18 root is prepared first,
# and the loop waits for the build before it touches that root again.
BUILD_PID=""
start_assert_build() {
	local entry
	for entry in "${VERSIONS[@]}"; do
		is_assert "$entry" || continue
		(
			set -e
			prepare "${entry%-assert}"
			assert_ok && exit 0
			say "building the assert server in the background while the other versions run"
			renice -n 10 -p "$BASHPID" >/dev/null
			timed "build $entry (background)" build_assert
		) &
		BUILD_PID=$!
		return 0
	done
}

# Before entry ENTRY touches its root: wait for the background build there.
wait_assert_build() {
	[[ -n "$BUILD_PID" && "$(major_of "$1")" == 18 ]] || return 0
	say "waiting for the assert build"
	wait "$BUILD_PID" || say "the background assert build failed; trying again (log $LOGS/pg18-assert-build.log)"
	BUILD_PID=""
}

# ------------------------------------------------------------------ runs

# Copy the working tree (without .git and build output) to /build/pgENTRY.
copy_checkout() {
	local dest="$ROOT/build/pg$1"
	rm -rf --one-file-system "$dest"
	mkdir -p "$dest"
	tar -C "$FLP_ROOT" --exclude=./.git --exclude='*.o' --exclude='*.so' \
		--exclude='*.bc' --exclude=./test/clients/node_modules \
		--exclude=./results --exclude=./output_iso --exclude=./tmp_check \
		--exclude=./tmp_check_iso --exclude=./test/bench/out -cf - . |
		tar -C "$dest" -xf -
	# the host's certificate authorities (a proxy's own among them), for npm
	# in 85-drivers: the root's ca-certificates knows only the public ones
	if [[ -r /etc/ssl/certs/ca-certificates.crt ]]; then
		cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/flp-host-ca.crt"
	fi
}

# Environment of a run for matrix entry ENTRY inside the root.
run_env() {
	local bin
	bin="$(bin_of "$1")"
	echo "PATH=$bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "HOME=/root" "LANG=C.UTF-8" "TERM=dumb" "CI=${CI:-}"
	echo "DEBIAN_FRONTEND=noninteractive" "FLP_PG_VERSION=$(major_of "$1")" "FLP_PG_BIN=$bin"
	[[ -z "${FLP_TEST_TIMEOUT:-}" ]] || echo "FLP_TEST_TIMEOUT=$FLP_TEST_TIMEOUT"
	local skip
	skip="$(not_run_on "$1")"
	[[ -z "$skip" ]] || echo "FLP_SKIP_TESTS=$skip"
	# the benchmark's settings (--bench)
	env | grep -E '^FLP_(BENCH|INSTR)_[A-Z_]+=[^ ]*$' || true
	[[ ! -r "$ROOT/etc/flp-host-ca.crt" ]] || echo "NODE_EXTRA_CA_CERTS=/etc/flp-host-ca.crt"
}

# The shell tests entry ENTRY leaves to others (FLP_SKIP_TESTS of
# run-tests.sh, one name per word): the neighbours tests (pg_stat_statements,
# auto_explain and pgaudit beside flp, about 2 minutes per order) run in both
# orders on the host and on 18, in one order each on 17 (flp first) and 19
# (flp last), which keeps the matrix within CI's time.
not_run_on() {
	case "$1" in
	17) echo 46-neighbours-last ;;
	19) echo 45-neighbours-first ;;
	esac
}

# Run COMMAND... in /build/pgENTRY inside the root with ENTRY's environment.
in_build() {
	local v="$1"
	shift
	# shellcheck disable=SC2046,SC2016 # one variable per word; $0/$@ for bash -c
	env -i $(run_env "$v") chroot "$ROOT" \
		timeout -k 30 "$RUN_TIMEOUT" bash -c 'cd "$0" && exec "$@"' "/build/pg$v" "$@" </dev/null
}

server_version() {
	local out
	out="$(in_root "$(bin_of "$1")/pg_config" --version 2>/dev/null)" || out="PostgreSQL $(major_of "$1")"
	out="${out%% (*}"
	is_assert "$1" && out+=" (assertions)"
	echo "$out"
}

# The tests of ENTRY when none were named: all, but for the assert build the
# regress tests, the isolation specs and the attack suite (the suites that
# drive flp's hooks hardest, at an assert build's speed).
tests_of() {
	is_assert "$1" || return 0
	local names
	# shellcheck disable=SC2016 # $($*) is for make
	names="$(in_build "$1" make -s --no-print-directory "PG_CONFIG=$(bin_of "$1")/pg_config" \
		--eval='flp-print-%: ; @echo $($*)' flp-print-REGRESS flp-print-ISOLATION)" || return 1
	[[ -n "${names//[[:space:]]/}" ]] || return 1
	# shellcheck disable=SC2086 # one name per word
	echo $names 30-attacks
}

# The first compiler errors of a build log LOG into ERRFILE.
extract_errors() {
	grep -E -A3 'error:|Error [0-9]|#error' "$1" | head -n 60 >"$2" || true
	[[ -s "$2" ]] || tail -n 40 "$1" >"$2"
}

run_version() {
	local v="$1" log="$LOGS/pg$1.log" errs="$LOGS/pg$1-errors.log" rc=0 ver line
	local tests=("${TESTS[@]}")
	ver="$(server_version "$v")"
	rm -f "$errs"
	copy_checkout "$v"
	if is_assert "$v" && [[ ${#tests[@]} -eq 0 ]]; then
		# shellcheck disable=SC2207 # a word list
		tests=($(tests_of "$v")) ||
			{ RESULTS+=("$ver: FAILED: cannot list the tests (make flp-print-REGRESS)"); return 1; }
	fi
	say "running test/run-tests.sh ${tests[*]:-(all)} for $ver (log: $log)"
	timed "tests $v" in_build "$v" bash test/run-tests.sh "${tests[@]}" >"$log" 2>&1 || rc=$?
	if grep -q '^flp tests: build FAILED' "$log"; then
		extract_errors "$log" "$errs"
		# every error of every file (make -k), sorted: the porting to-do list
		in_build "$v" make -k -s -j "$(nproc)" "PG_CONFIG=$(bin_of "$v")/pg_config" \
			>"$LOGS/pg$v-make-k.log" 2>&1 || true
		grep -E 'error:' "$LOGS/pg$v-make-k.log" | sort -u >"$LOGS/pg$v-all-errors.log" || true
		RESULTS+=("$ver: build failed (first errors: $errs; all $(wc -l <"$LOGS/pg$v-all-errors.log"): $LOGS/pg$v-all-errors.log)")
		return 1
	fi
	line="$(grep -m1 '^flp tests:' "$log" | sed 's/^flp tests: //')" || true
	[[ -n "$line" ]] || line="no summary (exit $rc$([[ $rc -eq 124 ]] && echo ", timed out after ${RUN_TIMEOUT}s"))"
	local attacks
	attacks="$(grep -m1 '^flp attacks:' "$log" |
		sed -E 's/^flp attacks: ([0-9]+) attempts, ([0-9]+) leaks.*/attacks \1 attempts \2 leaks/')" || true
	[[ -z "$attacks" ]] || line+=", $attacks"
	# the server that ran the tests must have had its assertions on
	if is_assert "$v" && ! grep -q '^=== server: .*, debug_assertions on$' "$log"; then
		line+=", but the server ran without assertions"
		[[ $rc -ne 0 ]] || rc=1
	fi
	[[ $rc -eq 0 ]] || line+=" -- FAILED (exit $rc; log $log)"
	RESULTS+=("$ver: $line")
	return $rc
}

# --smoke: no flp, just the chroot's tool chain for version N.
# --bench and --instructions: test/bench/run.sh or test/bench/instructions.sh
# on version $1; its table goes into RESULTS.
bench_version() {
	local v="$1" what="$2" log="$LOGS/pg$1-$2.log" rc=0 ver
	ver="$(server_version "$v")"
	copy_checkout "$v"
	say "running test/bench/$what.sh for $ver (log: $log)"
	if [[ "$what" == instructions ]] && ! in_root test -x /usr/bin/valgrind; then
		apt_update_once
		apt_in_root install valgrind >>"$LOGS/apt.log" 2>&1 || return 1
	fi
	timed "$what $v" in_build "$v" env FLP_SKIP_DEPS=1 bash "test/bench/$what.sh" >"$log" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]]; then
		RESULTS+=("$ver: $what FAILED (exit $rc; log $log)")
		return 1
	fi
	RESULTS+=("$ver: $what" "$(sed -n '/^| /p' "$log")")
	return 0
}

smoke_version() {
	local v="$1" log="$LOGS/pg$1-smoke.log" rc=0 ver
	ver="$(server_version "$v")"
	copy_checkout "$v"
	timed "smoke $v" in_build "$v" bash test/versions-smoke.sh >"$log" 2>&1 || rc=$?
	if [[ $rc -eq 0 ]]; then
		RESULTS+=("$ver: smoke ok ($(grep -m1 '^smoke:' "$log" | sed 's/^smoke: //'))")
	else
		RESULTS+=("$ver: smoke FAILED (exit $rc; log $log)")
	fi
	return $rc
}

# ------------------------------------------------------------------ main

MODE=tests
VERSIONS=()
TESTS=()		# after "--": test names for run-tests.sh (default: all)
while [[ $# -gt 0 ]]; do
	arg="$1"
	shift
	if [[ "$arg" == -- ]]; then
		TESTS=("$@")
		break
	fi
	case "$arg" in
	--smoke) MODE=smoke ;;
	--prepare) MODE=prepare ;;
	--bench) MODE=run ;;
	--instructions) MODE=instructions ;;
	--clean) MODE=clean ;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*)
		major_of "$arg" >/dev/null || die "unknown version '$arg' (known: ${DEFAULT_VERSIONS[*]}; 16 is in no reachable archive)"
		VERSIONS+=("$arg")
		;;
	esac
done
[[ ${#VERSIONS[@]} -gt 0 ]] || VERSIONS=("${DEFAULT_VERSIONS[@]}")
[[ $EUID -eq 0 ]] || die "must run as root (debootstrap, mount, chroot)"

mkdir -p "$CACHE" "$LOGS"
exec 9>"$CACHE/lock"
flock -n 9 || { say "waiting for another test/versions.sh run (lock $CACHE/lock)"; flock 9; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [[ "$MODE" == clean ]]; then
	unmount_all
	for ROOT in "$CACHE"/pg*; do
		[[ -d "$ROOT" ]] || continue
		safe_rm_root "$ROOT"
		say "removed $ROOT"
	done
	rm -rf "$LOGS"
	exit 0
fi

: >"$LOGS/timings.log"
RESULTS=()
START=$(date +%s)
PASSED=0
FAILED=0
BUILD_ASSERT=1
[[ "$MODE" != prepare ]] || BUILD_ASSERT=0
[[ "$MODE" != tests ]] || start_assert_build
for v in "${VERSIONS[@]}"; do
	wait_assert_build "$v"
	# a failed preparation must not end the whole run: prepare in a subshell
	# (its mounts are undone by unmount_all below either way)
	set +e
	(
		set -e
		prepare "$v"
	)
	rc=$?
	set -e
	if [[ $rc -ne 0 ]]; then
		RESULTS+=("PostgreSQL $v: chroot preparation failed (logs in $LOGS)")
		FAILED=$((FAILED + 1))
		unmount_under "$CACHE/pg$(major_of "$v")"
		continue
	fi
	ROOT="$CACHE/pg$(major_of "$v")"
	if [[ "$MODE" == prepare ]]; then
		RESULTS+=("$(server_version "$v"): prepared$(! is_assert "$v" || echo " (the root; a test run makes the assert build)")")
		PASSED=$((PASSED + 1))
		unmount_under "$ROOT"
		continue
	fi
	mount_root
	if [[ "$MODE" == smoke ]]; then
		if smoke_version "$v"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	elif [[ "$MODE" == run || "$MODE" == instructions ]]; then
		if bench_version "$v" "$MODE"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	else
		if run_version "$v"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
	fi
	unmount_under "$ROOT"
done
[[ -z "$BUILD_PID" ]] || wait "$BUILD_PID" || true
echo "total: $(($(date +%s) - START)) s" >>"$LOGS/timings.log"
say "timings: $(paste -sd';' "$LOGS/timings.log" | sed 's/;/; /g')"
for root in $(for v in "${VERSIONS[@]}"; do echo "$CACHE/pg$(major_of "$v")"; done | sort -u); do
	[[ -d "$root" ]] &&
		say "cache: $root ($(du -sh --one-file-system "$root" 2>/dev/null | cut -f1))"
	[[ -d "$root$ASSERT_PREFIX" ]] &&
		say "cache: $root$ASSERT_PREFIX, the assert build ($(du -sh "$root$ASSERT_PREFIX" | cut -f1); $(sed -n 2p "$root$ASSERT_STAMP" 2>/dev/null))"
done
printf '%s\n' "${RESULTS[@]}"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
