#!/usr/bin/env bash
# test/lib/deps.sh -- install what building and testing flp needs (Debian 12).
#
# The server version is FLP_PG_VERSION (default 15, the one Debian 12 has).
# For another version (test/versions.sh, in a Debian chroot) the list names
# postgresql-N and postgresql-server-dev-N but not the postgresql-contrib
# metapackage: that one depends on the distribution's default server, and the
# contrib modules are part of postgresql-N anyway (since PostgreSQL 10).
#
# Run it (`bash test/lib/deps.sh`) or source it and call flp_deps_install.
# Packages are checked with dpkg-query first; apt-get (update + install) only
# runs when something is missing, so a re-run is fast and works offline.
#
# Note: installing postgresql-15 makes Debian create and start a 'main' cluster
# on port 5432. The flp tests never use it (see test/lib/cluster.sh).

FLP_PG_VERSION="${FLP_PG_VERSION:-15}"
FLP_DEPS_PACKAGES=(
	"postgresql-$FLP_PG_VERSION"
	"postgresql-server-dev-$FLP_PG_VERSION"
	build-essential
	libipc-run-perl
)
[[ "$FLP_PG_VERSION" != 15 ]] || FLP_DEPS_PACKAGES+=(postgresql-contrib)

# Succeed when package $1 is installed.
_flp_pkg_installed() {
	[[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# Print the packages of FLP_DEPS_PACKAGES that are not installed.
flp_deps_missing() {
	local pkg
	for pkg in "${FLP_DEPS_PACKAGES[@]}"; do
		_flp_pkg_installed "$pkg" || echo "$pkg"
	done
}

# apt-get with the flags we always want.
_flp_apt() {
	DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 "$@"
}

# Install the missing packages (if any).
flp_deps_install() {
	local missing
	missing="$(flp_deps_missing)" || return 1
	[[ -n "$missing" ]] || return 0
	# shellcheck disable=SC2086 # one package per word on purpose
	echo "deps.sh: installing:" $missing >&2
	if [[ $EUID -ne 0 ]]; then
		echo "deps.sh: need root to install packages" >&2
		return 1
	fi
	_flp_apt update >/dev/null || return 1
	# shellcheck disable=SC2086
	_flp_apt install --no-install-recommends $missing </dev/null >/dev/null || return 1
	missing="$(flp_deps_missing)"
	if [[ -n "$missing" ]]; then
		# shellcheck disable=SC2086
		echo "deps.sh: still missing after install:" $missing >&2
		return 1
	fi
}

# Install extra packages a single test needs (e.g. sqlsmith, pgbouncer), if
# missing: flp_deps_ensure PKG...
flp_deps_ensure() {
	local pkg missing=()
	for pkg in "$@"; do
		_flp_pkg_installed "$pkg" || missing+=("$pkg")
	done
	[[ ${#missing[@]} -gt 0 ]] || return 0
	echo "deps.sh: installing: ${missing[*]}" >&2
	[[ $EUID -eq 0 ]] || { echo "deps.sh: need root to install packages" >&2; return 1; }
	_flp_apt update >/dev/null || return 1
	_flp_apt install --no-install-recommends "${missing[@]}" </dev/null >/dev/null || return 1
	for pkg in "${missing[@]}"; do
		_flp_pkg_installed "$pkg" || { echo "deps.sh: $pkg still missing" >&2; return 1; }
	done
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -euo pipefail
	flp_deps_install
fi
