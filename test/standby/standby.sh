#!/usr/bin/env bash
# test/standby/standby.sh -- a streaming hot standby of a throwaway flp test
# cluster (test/lib/cluster.sh), for test/shell/60-standby.sh.
#
# Source this file (after test/lib/cluster.sh); it defines:
#   flp_standby_prepare_primary DIR   make the cluster in DIR a replication
#                                     primary (wal_level = replica, WAL senders,
#                                     trust for replication over its socket)
#                                     and restart it
#   flp_standby_start PRIMARY_DIR     pg_basebackup -R the primary into a fresh
#                                     /tmp dir with its own port and socket, flp
#                                     preloaded and hot_standby on; start it and
#                                     wait until it streams. Sets
#                                     FLP_STANDBY_DIR, FLP_STANDBY_HOST,
#                                     FLP_STANDBY_PORT (does not touch PGHOST..)
#   flp_standby_wait_replay PRIMARY_DIR STANDBY_DIR [SECONDS]
#                                     wait until the standby has replayed all
#                                     WAL the primary has written so far
#   flp_standby_stop [DIR]            stop the standby and delete its dir
#                                     (flp_cluster_stop; idempotent)
#
# Run as a script, `standby.sh apply-and-wait PRIMARY_DIR STANDBY_DIR SQLFILE`
# runs SQLFILE on the primary (as postgres, database $FLP_STANDBY_DB or
# postgres) and waits for the standby to replay it; it prints nothing on
# success and "APPLY FAILED: ..." on stdout otherwise (meant for psql's \!).
#
# Like cluster.sh, nothing here relies on `set -e`.

FLP_PG_BIN="${FLP_PG_BIN:-/usr/lib/postgresql/15/bin}"

_flp_standby_log() {
	echo "standby.sh: $*" >&2
}

# psql as the postgres superuser on the cluster of DIR (its socket and port).
_flp_standby_psql() {
	local dir="$1"
	shift
	"$FLP_PG_BIN/psql" -X -q -h "$dir/socket" -p "$(cat "$dir/port")" -U postgres "$@"
}

# flp_standby_prepare_primary DIR
flp_standby_prepare_primary() {
	local dir="$1"
	[[ -d "$dir/data" ]] || { _flp_standby_log "no cluster in $dir"; return 1; }
	cat >>"$dir/data/postgresql.conf" <<-EOF || return 1

		# --- flp standby test: replication primary (test/standby/standby.sh) ---
		wal_level = replica
		max_wal_senders = 4
		max_replication_slots = 4
		wal_keep_size = '64MB'
		hot_standby = on
	EOF
	# replication connections over the Unix socket, trusted (initdb -A trust
	# writes such a line already; make sure of it, it is what we rely on)
	if ! grep -Eq '^[[:space:]]*local[[:space:]]+replication[[:space:]]+all[[:space:]]+trust' \
		"$dir/data/pg_hba.conf"; then
		echo "local   replication     all                                     trust" \
			>>"$dir/data/pg_hba.conf" || return 1
	fi
	_flp_as_pg "$dir" "$FLP_PG_BIN/pg_ctl" -D "$dir/data" stop -m fast -w -t 30 >/dev/null ||
		{ flp_cluster_log "$dir"; return 1; }
	_flp_pg_ctl_start "$dir"
}

# flp_standby_start PRIMARY_DIR
# shellcheck disable=SC2034 # FLP_STANDBY_* are for the caller
flp_standby_start() {
	local primary="$1" dir port i state
	FLP_STANDBY_DIR="" FLP_STANDBY_HOST="" FLP_STANDBY_PORT=""
	dir="$(_flp_make_dir "")" || return 1
	FLP_STANDBY_DIR="$dir"
	if ! _flp_as_pg "$dir" "$FLP_PG_BIN/pg_basebackup" -D "$dir/data" -R -X stream -c fast \
		-h "$primary/socket" -p "$(cat "$primary/port")" -U postgres \
		>"$dir/log/basebackup.log" 2>&1; then
		_flp_standby_log "pg_basebackup failed"
		cat "$dir/log/basebackup.log" >&2
		return 1
	fi
	port="$(_flp_find_port)" || return 1
	echo "$port" >"$dir/port" || return 1
	# the copied postgresql.conf names the primary's port and socket: override
	cat >>"$dir/data/postgresql.conf" <<-EOF || return 1

		# --- flp standby test: the hot standby (test/standby/standby.sh) ---
		port = $port
		unix_socket_directories = '$dir/socket'
		hot_standby = on
		hot_standby_feedback = on
		max_standby_streaming_delay = -1
		wal_receiver_status_interval = 1s
	EOF
	# flp preloaded (the basebackup copied the primary's flp_preload.conf;
	# write it anyway so the standby does not depend on the primary's state)
	_flp_write_preload "$dir" flp || return 1
	[[ -f "$dir/data/standby.signal" ]] || { _flp_standby_log "no standby.signal"; return 1; }
	ln -sf log/postgresql.log "$dir/server.log"
	_flp_pg_ctl_start "$dir" || return 1
	FLP_STANDBY_HOST="$dir/socket"
	FLP_STANDBY_PORT="$port"
	# wait until the primary sees it streaming
	for ((i = 0; i < 300; i++)); do
		state="$(_flp_standby_psql "$primary" -d postgres -Atc \
			"SELECT state FROM pg_stat_replication LIMIT 1" 2>/dev/null)"
		[[ "$state" == streaming ]] && return 0
		sleep 0.1
	done
	_flp_standby_log "the standby does not stream (state: '$state')"
	flp_cluster_log "$dir" 30
	return 1
}

# flp_standby_wait_replay PRIMARY_DIR STANDBY_DIR [SECONDS]
flp_standby_wait_replay() {
	local primary="$1" standby="$2" secs="${3:-60}" target replayed i
	target="$(_flp_standby_psql "$primary" -d postgres -Atc "SELECT pg_current_wal_lsn()")" ||
		return 1
	for ((i = 0; i < secs * 20; i++)); do
		replayed="$(_flp_standby_psql "$standby" -d postgres -Atc \
			"SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= '$target'::pg_lsn")"
		[[ "$replayed" == t ]] && return 0
		sleep 0.05
	done
	_flp_standby_log "the standby did not replay up to $target in ${secs}s"
	return 1
}

# flp_standby_stop [DIR]
flp_standby_stop() {
	local dir="${1:-${FLP_STANDBY_DIR:-}}"
	[[ -n "$dir" ]] || return 0
	flp_cluster_stop "$dir"
	[[ "$dir" != "${FLP_STANDBY_DIR:-}" ]] || FLP_STANDBY_DIR=""
	return 0
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -uo pipefail
	if [[ "${1:-}" != apply-and-wait || $# -ne 4 ]]; then
		echo "usage: $0 apply-and-wait PRIMARY_DIR STANDBY_DIR SQLFILE" >&2
		exit 2
	fi
	if ! out="$(_flp_standby_psql "$2" -v ON_ERROR_STOP=1 -d "${FLP_STANDBY_DB:-postgres}" \
		-f "$4" 2>&1 >/dev/null)"; then
		echo "APPLY FAILED: $4 on the primary: $out"
		exit 1
	fi
	if ! out="$(flp_standby_wait_replay "$2" "$3" 2>&1)"; then
		echo "APPLY FAILED: $out"
		exit 1
	fi
	exit 0
fi
