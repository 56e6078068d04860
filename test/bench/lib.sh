#!/usr/bin/env bash
# test/bench/lib.sh -- what the benchmark's scripts share: flp's dependencies,
# its build, and a throwaway cluster that is stopped when the script exits.
# Sourced by run.sh, instructions.sh and profile.sh from the checkout's root.

# shellcheck source=test/lib/deps.sh
source test/lib/deps.sh
# shellcheck source=test/lib/cluster.sh
source test/lib/cluster.sh

# bench_setup [PACKAGE...] -- install flp's dependencies (unless
# FLP_SKIP_DEPS=1) and the given Debian packages where missing, then build and
# install flp (unless FLP_SKIP_BUILD=1).
bench_setup() {
	[[ "${FLP_SKIP_DEPS:-}" == 1 ]] || flp_deps_install
	[[ $# -eq 0 ]] || flp_deps_ensure "$@"
	if [[ "${FLP_SKIP_BUILD:-}" != 1 ]]; then
		make -s
		make -s install
	fi
}

# bench_cluster plain|tuned -- start a throwaway cluster with flp preloaded (its
# PGHOST, PGPORT, PGUSER and FLP_CLUSTER_DIR exported), stopped on exit.
# tuned adds the benchmark's settings -- shared buffers large enough that every
# contender's table and indexes stay in memory, asynchronous commit, no JIT,
# no parallel query, no autovacuum.
bench_cluster() {
	flp_cluster_start "" >/dev/null
	trap flp_cluster_stop EXIT
	[[ "${1:-}" == tuned ]] || return 0
	cat >>"$FLP_CLUSTER_DIR/data/postgresql.conf" <<CONF
shared_buffers = 2GB
work_mem = 16MB
synchronous_commit = off
max_connections = 50
jit = off
max_parallel_workers_per_gather = 0
autovacuum = off
CONF
	flp_cluster_restart flp >/dev/null
}
