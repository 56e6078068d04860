#!/usr/bin/env bash
# test/shell/85-drivers.sh -- flp through real client drivers.
#
# A governed table `governed` (id excluded; a, b text; n int; v varchar(3);
# d date) and one login role, flp_drv_login, an INHERIT member of two subject
# roles:
#
#   role          a      b      n      v           d
#   flp_drv_a     hide   edit   hide   hide '***'  edit
#   flp_drv_b     edit   hide   edit   edit        hide
#   flp_drv_login edit   edit   edit   edit        edit   (the union of both bundles)
#
# (a) node-postgres (`pg` 8 from the npm registry, installed from
#     test/clients/package-lock.json with `npm ci` into test/clients/node_modules;
#     Debian's nodejs/npm are installed when node/npm are missing):
#     test/clients/node_prepared.js runs NAMED prepared statements over the
#     extended protocol on one connection, executing the same statement again
#     and again across SET ROLE / RESET ROLE / SET LOCAL ROLE, under
#     plan_cache_mode auto (> 5 executions per role), force_generic_plan and
#     force_custom_plan: every answer is the current role's; a filter on a field
#     hidden for one role and readable for the other is refused (42501) for the
#     one and answered for the other through the same named statement.
# (b) psycopg 3 (Debian's python3-psycopg): test/clients/psycopg_cursors.py
#     runs server-side (named) cursors fetching in batches, text and binary,
#     with role changes between cursors; refused cursors; WITH HOLD cursors;
#     prepare=True statements reused across roles and plan cache modes; COPY
#     TO STDOUT; every row checked against the role's masks.
#
# Environment (from test/run-tests.sh): PGHOST, PGPORT, PGUSER=postgres,
# FLP_ROOT, FLP_PG_BIN. Exit 0 = pass, 1 = fail.
set -uo pipefail
# the set-up's notices (flp.protect's advice) are not this test's output
export PGOPTIONS="${PGOPTIONS:+$PGOPTIONS }-c client_min_messages=warning"

# shellcheck source=test/lib/deps.sh
source "$FLP_ROOT/test/lib/deps.sh"

NAME=85-drivers
DB=flp_drivers
CLIENTS="$FLP_ROOT/test/clients"
PSQL=("$FLP_PG_BIN/psql" -X -q)
PYTHON=/usr/bin/python3       # Debian's, which sees python3-psycopg
ROWS=500
LOG="$(mktemp /tmp/flp-drivers.XXXXXX)"
T0=$SECONDS

fail() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

cleanup() {
	rm -f "$LOG"
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS flp_drv_login" -c "DROP ROLE IF EXISTS flp_drv_a" \
		-c "DROP ROLE IF EXISTS flp_drv_b" >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the drivers
flp_deps_ensure python3-psycopg || fail "cannot install python3-psycopg"
"$PYTHON" -c 'import psycopg' 2>/dev/null || fail "$PYTHON cannot import psycopg"
if ! command -v node >/dev/null; then
	flp_deps_ensure nodejs || fail "cannot install nodejs"
fi
if ! command -v npm >/dev/null; then
	flp_deps_ensure npm || fail "cannot install npm"
fi
if ! (cd "$CLIENTS" && node -e "require('pg')" 2>/dev/null); then
	echo "  npm ci (test/clients)"
	(cd "$CLIENTS" && npm ci --no-audit --no-fund --loglevel=error) >"$LOG" 2>&1 ||
		fail "npm ci in test/clients failed: $(tail -n 20 "$LOG")"
fi
PG_JS_VERSION="$(cd "$CLIENTS" && node -p "require('pg/package.json').version")" ||
	fail "the pg module does not load"
echo "  node $(node --version), pg $PG_JS_VERSION; $("$PYTHON" --version)," \
	"psycopg $("$PYTHON" -c 'import psycopg; print(psycopg.__version__)')"

# ---------------------------------------------------------------- the database
cleanup
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "setup"
CREATE DATABASE $DB;
CREATE ROLE flp_drv_a NOLOGIN;
CREATE ROLE flp_drv_b NOLOGIN;
CREATE ROLE flp_drv_login LOGIN INHERIT IN ROLE flp_drv_a, flp_drv_b;
SQL
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || fail "setup in $DB"
CREATE EXTENSION flp;
CREATE TABLE governed (id int PRIMARY KEY, a text, b text, n int, v varchar(3), d date);
INSERT INTO governed SELECT k, 'alpha' || k, 'beta' || k, k * 11, 'v' || k % 100, date '2024-01-01' + k
	FROM generate_series(1, $ROWS) k;
ANALYZE governed;
GRANT SELECT ON governed TO flp_drv_a, flp_drv_b;
SELECT flp.protect('governed');
SELECT flp.exclude_field('governed', 'id');
SELECT flp.create_bundle('DrvA');
SELECT flp.set_permission('DrvA', 'governed', NULL, 'edit');
SELECT flp.set_permission('DrvA', 'governed', 'a', 'hide');
SELECT flp.set_permission('DrvA', 'governed', 'n', 'hide');
SELECT flp.set_permission('DrvA', 'governed', 'v', 'hide');
SELECT flp.assign('DrvA', 'flp_drv_a');
SELECT flp.create_bundle('DrvB');
SELECT flp.set_permission('DrvB', 'governed', NULL, 'edit');
SELECT flp.set_permission('DrvB', 'governed', 'b', 'hide');
SELECT flp.set_permission('DrvB', 'governed', 'd', 'hide');
SELECT flp.assign('DrvB', 'flp_drv_b');
SQL
# the permissions are what the clients expect
out="$("${PSQL[@]}" -At -d "$DB" -c "SELECT string_agg(r || ':' || f || '=' || flp.effective('governed', f, r::regrole), ' ' ORDER BY r, f)
	FROM unnest(ARRAY['flp_drv_a', 'flp_drv_b', 'flp_drv_login']) r, unnest(ARRAY['a', 'b', 'n', 'v', 'd']::name[]) f")"
want="flp_drv_a:a=hide flp_drv_a:b=edit flp_drv_a:d=edit flp_drv_a:n=hide flp_drv_a:v=hide"
want+=" flp_drv_b:a=edit flp_drv_b:b=hide flp_drv_b:d=hide flp_drv_b:n=edit flp_drv_b:v=edit"
want+=" flp_drv_login:a=edit flp_drv_login:b=edit flp_drv_login:d=edit flp_drv_login:n=edit flp_drv_login:v=edit"
[[ "$out" == "$want" ]] ||
	fail "unexpected effective permissions: $out"

export FLP_DRV_DB="$DB" FLP_DRV_ADMIN="$PGUSER" FLP_DRV_LOGIN=flp_drv_login FLP_DRV_ROLE_A=flp_drv_a \
	FLP_DRV_ROLE_B=flp_drv_b FLP_DRV_ROWS="$ROWS"

# ---------------------------------------------------------------- the clients
declare -A RESULT
status=0
run_client() {
	local label="$1" line
	shift
	echo "--- $label"
	"$@" >"$LOG" 2>&1
	local rc=$?
	grep -v '^RESULT ' "$LOG" | head -n 40
	line="$(grep -m1 '^RESULT ' "$LOG")"
	if [[ $rc -ne 0 || -z "$line" || "$line" != *" failed=0" ]]; then
		echo "  $label: FAILED (exit $rc): ${line:-no RESULT line}" >&2
		status=1
	fi
	RESULT[$label]="${line#RESULT }"
}
run_client node-postgres timeout 100 node "$CLIENTS/node_prepared.js"
run_client psycopg timeout 100 "$PYTHON" "$CLIENTS/psycopg_cursors.py"

summary="${RESULT[node-postgres]:-node-postgres: no result}; ${RESULT[psycopg]:-psycopg: no result}"
[[ $status -eq 0 ]] || fail "$summary"
echo "ok $NAME: $summary ($((SECONDS - T0))s)"
