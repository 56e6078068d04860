#!/usr/bin/env bash
# test/versions-smoke.sh -- the tool chain of one PostgreSQL version, without
# flp: `bash test/versions.sh --smoke` runs it inside its chroot (as root,
# FLP_PG_VERSION and FLP_PG_BIN set). It builds and installs a tiny PGXS
# module with that version's pg_config, starts a throwaway cluster with
# test/lib/cluster.sh, loads the module and asks for version().
# Ends with one line `smoke: ...`; non-zero on failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${FLP_PG_VERSION:?set FLP_PG_VERSION}"
# shellcheck source=test/lib/cluster.sh disable=SC1091
source test/lib/cluster.sh
PG_CONFIG="$FLP_PG_BIN/pg_config"
"$PG_CONFIG" --version

MOD="$(mktemp -d /tmp/flp-smoke-module.XXXXXX)"
trap 'flp_cluster_stop; rm -rf "$MOD"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

cat >"$MOD/flp_smoke.c" <<'EOF'
#include "postgres.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_MODULE_MAGIC;
PG_FUNCTION_INFO_V1(flp_smoke);

Datum
flp_smoke(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text("flp_smoke built with PG_VERSION " PG_VERSION));
}
EOF
cat >"$MOD/Makefile" <<'EOF'
MODULES = flp_smoke
PG_CFLAGS = -Wall -Werror
PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
EOF
make -s -C "$MOD" PG_CONFIG="$PG_CONFIG"
make -s -C "$MOD" PG_CONFIG="$PG_CONFIG" install

flp_cluster_start "" none
PSQL=("$FLP_PG_BIN/psql" -X -v ON_ERROR_STOP=1 -At)
server="$("${PSQL[@]}" -c 'SELECT version()')"
echo "$server"
"${PSQL[@]}" -c "CREATE FUNCTION flp_smoke() RETURNS text AS 'flp_smoke' LANGUAGE C"
module="$("${PSQL[@]}" -c 'SELECT flp_smoke()')"
echo "$module"
echo "smoke: pg_config, PGXS module and cluster ok, SELECT version(): ${server%% on *}"
