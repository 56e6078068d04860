#!/usr/bin/env bash
# test/lib/cluster.sh -- throwaway PostgreSQL clusters for the flp tests.
#
# Source this file; it defines:
#   flp_cluster_start [DIR] [PRELOAD]  create + start a cluster in DIR (a fresh
#                                      mktemp dir under /tmp when DIR is empty);
#                                      PRELOAD=none leaves flp out of
#                                      shared_preload_libraries, a list with a
#                                      comma ('flp,auto_explain') is taken as
#                                      it is, anything else means 'flp'. Exports PGHOST,
#                                      PGPORT, PGUSER and FLP_CLUSTER_DIR.
#   flp_cluster_stop [DIR]             stop the cluster and delete DIR (default
#                                      $FLP_CLUSTER_DIR); idempotent, trap-safe.
#                                      With FLP_KEEP_CLUSTER=1 the server is
#                                      stopped but DIR (logs, data) is kept.
#   flp_cluster_restart [PRELOAD]      rewrite shared_preload_libraries of the
#                                      $FLP_CLUSTER_DIR cluster and restart it.
#   flp_cluster_log_size [DIR]         the server log's size in bytes (a mark).
#   flp_cluster_crashes [DIR] [MARK]   print the server log's crash lines after
#                                      byte MARK (an assertion's TRAP with its
#                                      backtrace, a backend ended by a signal
#                                      with the statement it ran, a PANIC);
#                                      succeeds when there are any.
#
# Clusters never listen on TCP (listen_addresses = ''), only on the socket in
# DIR/socket, so they cannot collide with the Debian 'main' cluster on 5432.
# The server runs as the 'postgres' OS user (it refuses root); clients may be
# root and connect as the 'postgres' database user with trust auth.
#
# The server version is FLP_PG_VERSION (default 15, Debian 12's); its
# programs are taken from FLP_PG_BIN (default /usr/lib/postgresql/VERSION/bin).
# test/versions.sh sets both to run the tests against other versions.
#
# The functions do not rely on `set -e` (they may be called from `if`, `||` or
# an EXIT trap) and propagate errors with explicit returns.

FLP_PG_VERSION="${FLP_PG_VERSION:-15}"
FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/$FLP_PG_VERSION/bin}"
FLP_PORT_FIRST="${FLP_PORT_FIRST:-54320}"
FLP_PORT_LAST="${FLP_PORT_LAST:-54420}"
FLP_CLUSTER_MARKER=".flp-cluster"

# Print a message on stderr.
_flp_log() {
	echo "cluster.sh: $*" >&2
}

# Run a command as the postgres OS user (directly when we are not root), from
# inside the cluster dir so an unreadable cwd cannot bother the server tools.
# flp_as_postgres DIR COMMAND...: the same for the tests.
flp_as_postgres() {
	_flp_as_pg "$@"
}
_flp_as_pg() {
	local dir="$1"
	shift
	if [[ $EUID -eq 0 ]]; then
		(cd "$dir" && runuser -u postgres -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

# Succeed when PORT looks unused by any server we can see: no socket file in
# the usual socket dirs or in another flp cluster, nothing answering on TCP.
_flp_port_free() {
	local port="$1" sock
	[[ "$port" != 5432 ]] || return 1
	for sock in /tmp/.s.PGSQL."$port" /var/run/postgresql/.s.PGSQL."$port" \
		/tmp/*/.s.PGSQL."$port" /tmp/*/socket/.s.PGSQL."$port"; do
		[[ -e "$sock" ]] && return 1
	done
	# pg_isready exits 2 when nothing answers at all.
	"$FLP_PG_BIN/pg_isready" -q -h localhost -p "$port" -t 1 >/dev/null 2>&1
	[[ $? -eq 2 ]]
}

# Print the first free port in [FLP_PORT_FIRST, FLP_PORT_LAST].
_flp_find_port() {
	local port
	for ((port = FLP_PORT_FIRST; port <= FLP_PORT_LAST; port++)); do
		if _flp_port_free "$port"; then
			echo "$port"
			return 0
		fi
	done
	_flp_log "no free port in $FLP_PORT_FIRST..$FLP_PORT_LAST"
	return 1
}

# Write DIR/data/flp_preload.conf for PRELOAD ('none', a comma-separated
# list, or anything else = flp).
_flp_write_preload() {
	local dir="$1" preload="${2:-flp}" libs="flp"
	[[ "$preload" == none ]] && libs=""
	[[ "$preload" == *,* ]] && libs="$preload"
	echo "shared_preload_libraries = '$libs'" >"$dir/data/flp_preload.conf" || return 1
	[[ $EUID -ne 0 ]] || chown postgres: "$dir/data/flp_preload.conf"
}

# Append our settings to DIR/data/postgresql.conf.
_flp_write_conf() {
	local dir="$1" port="$2" preload="$3"
	cat >>"$dir/data/postgresql.conf" <<-EOF || return 1

		# --- flp test cluster (test/lib/cluster.sh) ---
		listen_addresses = ''
		unix_socket_directories = '$dir/socket'
		port = $port
		fsync = off
		max_prepared_transactions = 10
		log_min_messages = warning
		logging_collector = off
		include_if_exists = 'flp_preload.conf'
	EOF
	_flp_write_preload "$dir" "$preload"
}

# flp_cluster_log [DIR] [LINES] -- print the server log (its last LINES lines,
# default all) of the cluster in DIR (default $FLP_CLUSTER_DIR) on stderr.
flp_cluster_log() {
	local dir="${1:-${FLP_CLUSTER_DIR:-}}" lines="${2:-+1}"
	[[ -n "$dir" && -f "$dir/log/postgresql.log" ]] || return 0
	echo "----- server log $dir/log/postgresql.log (tail -n $lines) -----" >&2
	tail -n "$lines" "$dir/log/postgresql.log" >&2
	echo "----- end of server log -----" >&2
}

# flp_cluster_log_size [DIR] -- bytes in the server log of DIR (default
# $FLP_CLUSTER_DIR); 0 when there is none.
flp_cluster_log_size() {
	local dir="${1:-${FLP_CLUSTER_DIR:-}}"
	stat -c %s "$dir/log/postgresql.log" 2>/dev/null || echo 0
}

# flp_cluster_crashes [DIR] [MARK] -- print what in the server log of DIR
# (default $FLP_CLUSTER_DIR), after its first MARK bytes (default 0), shows a
# crash: a failed assertion (TRAP: and the backtrace the server prints after
# it, up to the postmaster's report), a server process terminated by a signal
# (with the DETAIL line naming the statement it ran), a PANIC. Succeeds when
# there was one; on an assert-enabled server every misuse the assertions catch
# ends here.
flp_cluster_crashes() {
	local dir="${1:-${FLP_CLUSTER_DIR:-}}" mark="${2:-0}" out
	[[ -n "$dir" && -f "$dir/log/postgresql.log" ]] || return 1
	out="$(tail -c +"$((mark + 1))" "$dir/log/postgresql.log" | awk '
		/TRAP: / { trap = 1; n = 0 }
		trap { print; if (++n >= 60) trap = 0 }
		/terminated by signal|was terminated by exception/ {
			if (!trap) print
			trap = 0
			if ((getline line) > 0 && line ~ /DETAIL:/) print line
			next
		}
		!trap && /PANIC:/ { print }')"
	[[ -n "$out" ]] || return 1
	echo "$out"
}

# Create DIR (or a fresh /tmp dir) with data/, socket/ and log/ for postgres.
# Prints the directory.
_flp_make_dir() {
	local dir="$1"
	if [[ -z "$dir" ]]; then
		dir="$(mktemp -d /tmp/flp-cluster.XXXXXX)" || return 1
	else
		mkdir -p "$dir" || return 1
		if [[ -n "$(ls -A "$dir")" ]]; then
			_flp_log "$dir is not empty"
			return 1
		fi
	fi
	dir="$(cd "$dir" && pwd)" || return 1
	touch "$dir/$FLP_CLUSTER_MARKER" || return 1
	mkdir -p "$dir/socket" "$dir/log" || return 1
	chmod 0755 "$dir" || return 1
	[[ $EUID -ne 0 ]] || chown -R postgres: "$dir" || return 1
	echo "$dir"
}

# Start the cluster in DIR with pg_ctl -w; on failure show the log.
_flp_pg_ctl_start() {
	local dir="$1"
	if ! _flp_as_pg "$dir" "$FLP_PG_BIN/pg_ctl" -D "$dir/data" \
		-l "$dir/log/postgresql.log" -w -t 60 start >/dev/null; then
		_flp_log "server in $dir failed to start"
		flp_cluster_log "$dir"
		return 1
	fi
}

# initdb + configure + start the cluster in the (prepared) DIR.
_flp_cluster_setup() {
	local dir="$1" preload="$2" port
	if ! _flp_as_pg "$dir" "$FLP_PG_BIN/initdb" -D "$dir/data" -A trust \
		-U postgres --no-sync --no-instructions --encoding=UTF8 --no-locale \
		>"$dir/log/initdb.log" 2>&1; then
		_flp_log "initdb failed in $dir"
		cat "$dir/log/initdb.log" >&2
		return 1
	fi
	port="$(_flp_find_port)" || return 1
	echo "$port" >"$dir/port" || return 1
	_flp_write_conf "$dir" "$port" "$preload" || return 1
	ln -sf log/postgresql.log "$dir/server.log"
	_flp_pg_ctl_start "$dir"
}

# flp_cluster_start [DIR] [PRELOAD]
flp_cluster_start() {
	local dir="${1:-}" preload="${2:-flp}" port
	dir="$(_flp_make_dir "$dir")" || return 1
	if ! _flp_cluster_setup "$dir" "$preload"; then
		FLP_KEEP_CLUSTER="" flp_cluster_stop "$dir"
		return 1
	fi
	port="$(cat "$dir/port")"
	export PGHOST="$dir/socket" PGPORT="$port" PGUSER=postgres
	export PGDATABASE=postgres FLP_CLUSTER_DIR="$dir"
}

# flp_cluster_stop [DIR] -- never fails; safe to call twice or from a trap.
flp_cluster_stop() {
	local dir="${1:-${FLP_CLUSTER_DIR:-}}" pid
	[[ -n "$dir" && -d "$dir" ]] || return 0
	if [[ ! -e "$dir/$FLP_CLUSTER_MARKER" ]]; then
		_flp_log "refusing to remove $dir: not an flp test cluster"
		return 0
	fi
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		if ! _flp_as_pg "$dir" "$FLP_PG_BIN/pg_ctl" -D "$dir/data" \
			stop -m fast -w -t 30 >/dev/null 2>&1; then
			pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null)"
			[[ "$pid" =~ ^[0-9]+$ ]] && kill -9 "$pid" 2>/dev/null
		fi
	fi
	if [[ -n "${FLP_KEEP_CLUSTER:-}" ]]; then
		_flp_log "FLP_KEEP_CLUSTER set: keeping $dir"
	else
		rm -rf "$dir"
	fi
	if [[ "$dir" == "${FLP_CLUSTER_DIR:-}" ]]; then
		unset PGHOST PGPORT PGUSER PGDATABASE FLP_CLUSTER_DIR
	fi
	return 0
}

# flp_cluster_restart [PRELOAD] -- PRELOAD 'none' => shared_preload_libraries = '',
# a comma-separated list => that list
flp_cluster_restart() {
	local preload="${1:-flp}" dir="${FLP_CLUSTER_DIR:-}"
	if [[ -z "$dir" || ! -d "$dir/data" ]]; then
		_flp_log "flp_cluster_restart: no cluster (FLP_CLUSTER_DIR unset)"
		return 1
	fi
	_flp_write_preload "$dir" "$preload" || return 1
	if [[ -f "$dir/data/postmaster.pid" ]]; then
		_flp_as_pg "$dir" "$FLP_PG_BIN/pg_ctl" -D "$dir/data" stop -m fast -w -t 30 \
			>/dev/null || { flp_cluster_log "$dir"; return 1; }
	fi
	_flp_pg_ctl_start "$dir"
}

# Run as a script: tiny self-test (start without preload, SELECT 1, stop).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -euo pipefail
	trap flp_cluster_stop EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	flp_cluster_start "" none
	"$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -Atc 'SELECT 1'
fi
