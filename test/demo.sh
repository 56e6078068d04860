#!/usr/bin/env bash
# test/demo.sh -- README command 1: the flp demo.
#
# Run as root on a fresh Debian 12 machine:
#     bash test/demo.sh
# It installs what is missing (test/lib/deps.sh), builds and installs flp,
# starts a throwaway PostgreSQL 15 cluster with flp preloaded
# (test/lib/cluster.sh), loads the customer-success schema
# (test/demo/schema.sql), runs the demo (test/demo/demo.sql) and removes the
# cluster again.  Every set-up statement is printed as it runs; the demo
# ends with what partner users see.
#
# FLP_DEMO_KEEP=1 keeps the cluster running afterwards and prints how to
# connect to it as each demo role.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

# shellcheck source=SCRIPTDIR/lib/deps.sh
source test/lib/deps.sh
flp_deps_install

echo "== building and installing flp"
make -s
make -s install

# shellcheck source=SCRIPTDIR/lib/cluster.sh
source test/lib/cluster.sh
flp_cluster_start "$(mktemp -d /tmp/flp-demo.XXXXXX)"
cluster_dir="$FLP_CLUSTER_DIR"

# On exit (also after an error): remove the cluster, or with FLP_DEMO_KEEP=1
# say how to use it.
demo_finish() {
	if [[ "${FLP_DEMO_KEEP:-}" == 1 ]]; then
		echo "== FLP_DEMO_KEEP=1: the cluster keeps running in $cluster_dir"
		echo "Connect as any demo role (trust authentication, unix socket only):"
		echo "    psql -h $PGHOST -p $PGPORT -U csm_carol flp_demo"
		echo "    (or analyst_ann, exec_erik, sales_sam, admin_ada, intern_ivy, postgres)"
		echo "and try for instance:  SELECT * FROM cs.company_report;"
		echo "Stop and remove it with:"
		echo "    bash -c 'source $repo/test/lib/cluster.sh && flp_cluster_stop $cluster_dir'"
	else
		echo "== removing the throwaway cluster $cluster_dir"
		flp_cluster_stop "$cluster_dir"
	fi
}
trap demo_finish EXIT

echo "== throwaway cluster in $cluster_dir (port $PGPORT)"

psql_demo() {
	psql -X -v ON_ERROR_STOP=1 -q "$@"
}

psql_demo -e -d postgres -c 'CREATE DATABASE flp_demo'
psql_demo -e -d flp_demo -c 'CREATE EXTENSION flp'
psql_demo -d flp_demo -f test/demo/schema.sql
psql_demo -d flp_demo -f test/demo/demo.sql
echo
