#!/usr/bin/env bash
# test/shell/80-pgbouncer.sh -- flp behind a connection pooler.
#
# Runs its own pgbouncer (Debian package; our own ini, unix socket and pid file
# in a temp dir, run as the postgres OS user; the packaged service and its
# port/config are never used) in front of the test cluster, with
# pool_mode = transaction and default_pool_size = 1, so every pooled
# transaction runs on the SAME server connection.  One pooled login user
# (flp_pool_login, NOINHERIT, no bundle of its own) is a member of two subject
# roles with opposite permissions on the governed table `pooled`:
#
#   role          a (text)   b (text)   n (int)
#   flp_pool_a    hide       edit       hide
#   flp_pool_b    edit       hide       edit
#   (no SET ROLE) hide       hide       hide     (the table's default)
#
# Several clients at once (psql clients with the simple query protocol, and
# psycopg clients with parameters over the extended protocol) run many
# transactions `BEGIN; [SET LOCAL ROLE x;] SELECT ...; COMMIT;`, rotating the
# roles, and query kinds:
#   all     SELECT of every row (simple protocol)
#   row:K   one row, through the server-level prepared statement flp_pool_q
#           (PREPAREd once on the shared server connection, EXECUTEd by every
#           client and role; every other time under force_generic_plan), or
#           through a psycopg parameterized query
#   fa      a filter on `a`: refused (42501) where a is hidden, answered by b
#   fb      a filter on `b` through the prepared statement flp_pool_f:
#           refused where b is hidden, answered by a
# Every transaction must get exactly its own role's answer (current_user,
# masks, refusal).  Also checked: the transactions of the different roles and
# clients did share one server backend and interleaved on it (pg_backend_pid,
# a sequence, and pgbouncer's SHOW SERVERS / SHOW POOLS / SHOW STATS); and a
# committed permission change (field a of flp_pool_a: hide -> read -> hide)
# reaches the pooled backend and its cached generic plan at the next
# transaction.
#
# pgbouncer 1.18 (Debian 12) does not support protocol-level named prepared
# statements in transaction mode (max_prepared_statements came in 1.21): with
# an older pgbouncer the psycopg clients use unnamed statements, with 1.21+
# they prepare every statement (prepare_threshold = 0).
#
# Environment (from test/run-tests.sh): PGHOST, PGPORT, PGUSER=postgres,
# FLP_ROOT, FLP_PG_BIN. Knobs: FLP_POOL_TX (transactions per client, def. 300).
# Exit 0 = pass, 1 = fail.
set -uo pipefail

# shellcheck source=test/lib/deps.sh
source "$FLP_ROOT/test/lib/deps.sh"

NAME=80-pgbouncer
DB=flp_pgbouncer
POOL_DB=flp_pool
LOGIN=flp_pool_login
PSQL=("$FLP_PG_BIN/psql" -X -q)
PYTHON=/usr/bin/python3       # Debian's, which sees python3-psycopg
PGBOUNCER=/usr/sbin/pgbouncer
BPORT=6543                    # only names the socket file: no TCP listener
TX="${FLP_POOL_TX:-300}"
PSQL_CLIENTS=4
PY_CLIENTS=2
WORK=""
BG_PIDS=()
T0=$SECONDS

fail() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

# stop our pgbouncer (the pid in our own pid file, if it is a pgbouncer)
stop_pgbouncer() {
	local pid i
	[[ -n "$WORK" && -f "$WORK/pgbouncer.pid" ]] || return 0
	pid="$(cat "$WORK/pgbouncer.pid" 2>/dev/null)"
	[[ "$pid" =~ ^[0-9]+$ ]] || return 0
	[[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == pgbouncer ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

cleanup() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	stop_pgbouncer
	[[ -z "$WORK" ]] || rm -rf "$WORK"
	"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
		-c "DROP ROLE IF EXISTS $LOGIN" -c "DROP ROLE IF EXISTS flp_pool_a" \
		-c "DROP ROLE IF EXISTS flp_pool_b" >/dev/null 2>&1
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

flp_deps_ensure pgbouncer python3-psycopg || fail "cannot install pgbouncer python3-psycopg"
[[ -x "$PGBOUNCER" ]] || fail "$PGBOUNCER missing"
"$PYTHON" -c 'import psycopg' 2>/dev/null || fail "$PYTHON cannot import psycopg"
BVERSION="$("$PGBOUNCER" --version | sed -n 's/^PgBouncer \([0-9.]*\).*/\1/p')"
[[ -n "$BVERSION" ]] || fail "cannot tell the pgbouncer version"
PY_PREPARE=()
# protocol-level prepared statements in transaction mode: pgbouncer >= 1.21
if [[ "$(printf '%s\n' 1.21 "$BVERSION" | sort -V | head -1)" == 1.21 ]]; then
	PY_PREPARE=(--prepare)
fi

cleanup
# ----------------------------------------------------------------- the database
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || fail "setup"
CREATE DATABASE $DB;
CREATE ROLE flp_pool_a NOLOGIN;
CREATE ROLE flp_pool_b NOLOGIN;
CREATE ROLE $LOGIN LOGIN NOINHERIT IN ROLE flp_pool_a, flp_pool_b;
SQL
"${PSQL[@]}" -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || fail "setup in $DB"
CREATE EXTENSION flp;
CREATE TABLE pooled (id int PRIMARY KEY, a text, b text, n int);
INSERT INTO pooled SELECT k, 'alpha' || k, 'beta' || k, k * 11 FROM generate_series(1, 5) k;
CREATE SEQUENCE flp_pool_seq;
GRANT SELECT ON pooled TO flp_pool_a, flp_pool_b, $LOGIN;
GRANT USAGE ON SEQUENCE flp_pool_seq TO flp_pool_a, flp_pool_b, $LOGIN;
SET client_min_messages = warning;
SELECT flp.protect('pooled');
SELECT flp.exclude_field('pooled', 'id');
SELECT flp.create_bundle('PoolA');
SELECT flp.set_permission('PoolA', 'pooled', NULL, 'edit');
SELECT flp.set_permission('PoolA', 'pooled', 'a', 'hide');
SELECT flp.set_permission('PoolA', 'pooled', 'n', 'hide');
SELECT flp.assign('PoolA', 'flp_pool_a');
SELECT flp.create_bundle('PoolB');
SELECT flp.set_permission('PoolB', 'pooled', NULL, 'edit');
SELECT flp.set_permission('PoolB', 'pooled', 'b', 'hide');
SELECT flp.assign('PoolB', 'flp_pool_b');
SQL
# the data really is there for a super admin
out="$("${PSQL[@]}" -At -d "$DB" -c "SELECT string_agg(concat_ws('/', a, b, n), ',' ORDER BY id) FROM pooled")"
[[ "$out" == "alpha1/beta1/11,alpha2/beta2/22,alpha3/beta3/33,alpha4/beta4/44,alpha5/beta5/55" ]] ||
	fail "unexpected data for the superuser: $out"

# ---------------------------------------------------------------- our pgbouncer
WORK="$(mktemp -d /tmp/flp-pgbouncer.XXXXXX)" || fail "mktemp"
chmod 0755 "$WORK"
cat >"$WORK/pgbouncer.ini" <<EOF || fail "writing the ini"
;; flp test pgbouncer (test/shell/80-pgbouncer.sh); unix socket only
[databases]
$POOL_DB = host=$PGHOST port=$PGPORT dbname=$DB

[pgbouncer]
listen_addr =
listen_port = $BPORT
unix_socket_dir = $WORK
unix_socket_mode = 0777
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
auth_type = trust
auth_file = $WORK/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 50
server_lifetime = 3600
server_idle_timeout = 600
query_wait_timeout = 60
EOF
[[ ${#PY_PREPARE[@]} -eq 0 ]] || echo "max_prepared_statements = 100" >>"$WORK/pgbouncer.ini"
printf '"%s" ""\n"postgres" ""\n' "$LOGIN" >"$WORK/userlist.txt"
if [[ $EUID -eq 0 ]]; then
	chown -R postgres: "$WORK"
	(cd "$WORK" && runuser -u postgres -- "$PGBOUNCER" -d -q "$WORK/pgbouncer.ini") ||
		fail "pgbouncer did not start: $(cat "$WORK/pgbouncer.log" 2>/dev/null)"
else
	(cd "$WORK" && "$PGBOUNCER" -d -q "$WORK/pgbouncer.ini") ||
		fail "pgbouncer did not start: $(cat "$WORK/pgbouncer.log" 2>/dev/null)"
fi
for ((i = 0; i < 100; i++)); do
	[[ -S "$WORK/.s.PGSQL.$BPORT" ]] && break
	sleep 0.1
done
[[ -S "$WORK/.s.PGSQL.$BPORT" ]] || fail "no pgbouncer socket: $(cat "$WORK/pgbouncer.log" 2>/dev/null)"

POOL=(-h "$WORK" -p "$BPORT" -U "$LOGIN" -d "$POOL_DB")

# server-level prepared statements, made once on the (single) server connection
"${PSQL[@]}" -v ON_ERROR_STOP=1 "${POOL[@]}" >/dev/null <<'SQL' || fail "PREPARE through pgbouncer"
PREPARE flp_pool_q(int) AS
	SELECT 'V', concat_ws('/', a, b, coalesce(n::text, '-')) FROM pooled WHERE id = $1;
PREPARE flp_pool_f(text) AS SELECT 'V', count(*) FROM pooled WHERE b = $1;
SQL

# ---------------------------------------------------------------- the clients
ROLES=(a b none)
declare -A ROLE_NAME=([a]=flp_pool_a [b]=flp_pool_b [none]="")

# Prepare statement $1 on the server connection at hand if it is not there:
# a newer pgbouncer (1.22+) passes on the DEALLOCATE ALL that psycopg sends
# with named prepared statements, which drops every statement of the shared
# server connection, flp_pool_q and flp_pool_f included.
reprepare() {
	local sql
	case $1 in
	flp_pool_q) sql="PREPARE flp_pool_q(int) AS SELECT 'V', concat_ws('/', a, b, coalesce(n::text, '-')) FROM pooled WHERE id = \$1" ;;
	flp_pool_f) sql="PREPARE flp_pool_f(text) AS SELECT 'V', count(*) FROM pooled WHERE b = \$1" ;;
	esac
	printf "SELECT %s WHERE NOT EXISTS (SELECT FROM pg_prepared_statements WHERE name = '%s') \\gexec\n" \
		"'${sql//\'/\'\'}'" "$1"
}

# the psql script of client $1: $TX transactions
psql_client_script() {
	local c="$1" i role kind k
	printf '%s\n' '\set VERBOSITY terse'
	for ((i = 0; i < TX; i++)); do
		role="${ROLES[$(((i + c) % 3))]}"
		k=$((1 + (i / 4) % 5))
		case $((i % 4)) in
		0) kind=all ;;
		1) kind="row:$k" ;;
		2) kind=fa ;;
		3) kind=fb ;;
		esac
		printf '\\echo B %s %s %s %s\n' "$c" "$i" "$role" "$kind"
		echo "BEGIN;"
		[[ -z "${ROLE_NAME[$role]}" ]] || echo "SET LOCAL ROLE ${ROLE_NAME[$role]};"
		echo "SELECT 'U', current_user, pg_backend_pid(), nextval('flp_pool_seq');"
		case $kind in
		all) echo "SELECT 'V', string_agg(concat_ws('/', a, b, coalesce(n::text, '-')), ',' ORDER BY id) FROM pooled;" ;;
		row:*)
			(((i / 4) % 2)) && echo "SET LOCAL plan_cache_mode = force_generic_plan;"
			reprepare flp_pool_q
			echo "EXECUTE flp_pool_q($k);"
			;;
		fa) echo "SELECT 'V', count(*) FROM pooled WHERE a = 'alpha2';" ;;
		fb)
			reprepare flp_pool_f
			echo "EXECUTE flp_pool_f('beta3');"
			;;
		esac
		printf '%s\n' '\echo S :SQLSTATE'
		echo "COMMIT;"
	done
}

for ((c = 1; c <= PSQL_CLIENTS; c++)); do
	psql_client_script "$c" >"$WORK/client$c.sql"
done
chmod a+r "$WORK"/client*.sql
for ((c = 1; c <= PSQL_CLIENTS; c++)); do
	"${PSQL[@]}" -At -F '|' "${POOL[@]}" -f "$WORK/client$c.sql" \
		>"$WORK/client$c.out" 2>"$WORK/client$c.err" &
	BG_PIDS+=($!)
done
for ((c = PSQL_CLIENTS + 1; c <= PSQL_CLIENTS + PY_CLIENTS; c++)); do
	"$PYTHON" "$FLP_ROOT/test/clients/pool_client.py" --host "$WORK" --port "$BPORT" \
		--user "$LOGIN" --dbname "$POOL_DB" --client "$c" --tx "$TX" "${PY_PREPARE[@]}" \
		>"$WORK/client$c.out" 2>"$WORK/client$c.err" &
	BG_PIDS+=($!)
done
client_rc=0
for pid in "${BG_PIDS[@]}"; do
	wait "$pid" || client_rc=1
done
BG_PIDS=()
[[ $client_rc -eq 0 ]] || echo "  a client exited non-zero" >&2

# ---------------------------------------------------------------- the checks
# every transaction: its own role's user, value and SQLSTATE
CHECK="$(awk -v txfile="$WORK/tx.txt" '
function row(k, r) {
	if (r == "a") return "****/beta" k "/-"
	if (r == "b") return "alpha" k "/****/" (k * 11)
	return "****/****/-"
}
function expect(kind, r,   s, k) {
	EV = ""; ES = "00000"
	if (kind == "all") {
		for (k = 1; k <= 5; k++) EV = EV (k > 1 ? "," : "") row(k, r)
	} else if (kind ~ /^row:/) {
		EV = row(substr(kind, 5) + 0, r)
	} else if (kind == "fa") {
		if (r == "b") EV = "1"; else ES = "42501"
	} else if (kind == "fb") {
		if (r == "a") EV = "1"; else ES = "42501"
	} else ES = "unknown kind " kind
}
function finish(   p) {
	if (!open) return
	open = 0; ntx++
	p = ""
	if (!gotU) p = p " no current_user line;"
	else if (uuser != USER[role]) p = p " current_user " uuser ";"
	if (!gotS) p = p " no SQLSTATE line;"
	else if (st != ES) p = p " SQLSTATE " st " (expected " ES ");"
	if (ES == "00000" && val != EV) p = p " value [" val "] (expected [" EV "]);"
	if (ES != "00000" && gotV) p = p " a value [" val "] where a refusal was expected;"
	if (extra) p = p " " extra " stray lines;"
	if (ES == "42501" && st == "42501") nref++
	if (p != "") {
		bad++
		if (bad <= 10) printf "MISMATCH %s:%s\n", hdr, p > "/dev/stderr"
	}
	if (gotU) print seq, client, role, pid > txfile
}
BEGIN { USER["a"] = "flp_pool_a"; USER["b"] = "flp_pool_b"; USER["none"] = "flp_pool_login" }
FNR == 1 { finish() }
/^B / { finish(); open = 1; hdr = FILENAME ": " $0; client = $2; role = $4; expect($5, role)
	gotU = gotV = gotS = extra = 0; val = ""; next }
/^U\|/ { split($0, f, "|"); if (gotU) extra++; gotU = 1; uuser = f[2]; pid = f[3]; seq = f[4]; next }
/^V\|/ { if (gotV) extra++; gotV = 1; val = substr($0, 3); next }
/^S / { if (gotS) extra++; gotS = 1; st = $2; next }
{ if (open) extra++; else stray++ }
END { finish(); printf "%d %d %d %d\n", ntx, bad + 0, nref + 0, stray + 0 }
' "$WORK"/client*.out)"
read -r NTX BAD NREF STRAY <<<"$CHECK"
EXPECTED_TX=$(((PSQL_CLIENTS + PY_CLIENTS) * TX))

# errors on stderr: only the expected refusals (psql prints one line each)
ERRLINES="$(cat "$WORK"/client*.err | grep -c 'ERROR' || true)"
PSQL_REFUSALS="$(cat "$WORK"/client[1-$PSQL_CLIENTS].out | grep -c '^S 42501$' || true)"
OTHER_ERR="$(cat "$WORK"/client*.err | grep -v 'ERROR:  42501\|ERROR:  permission denied' | head -5)"

# one shared server backend, on which roles and clients interleaved
NPIDS="$(awk '{print $4}' "$WORK/tx.txt" | sort -u | wc -l)"
PID="$(awk '{print $4}' "$WORK/tx.txt" | sort -u | head -1)"
NROLES_ON_PID="$(awk -v p="$PID" '$4 == p {print $3}' "$WORK/tx.txt" | sort -u | wc -l)"
read -r ROLE_SWITCHES CLIENT_SWITCHES < <(sort -n "$WORK/tx.txt" | awk '
	NR > 1 && $3 != r { rs++ } NR > 1 && $2 != c { cs++ } { r = $3; c = $2 }
	END { print rs + 0, cs + 0 }')
# admin_col COMMAND COLUMN: the COLUMN of the $POOL_DB rows of a SHOW command
# of pgbouncer's admin console (database: 1st column of SHOW POOLS/STATS, 3rd
# of SHOW SERVERS; other columns found by name, as versions add columns)
admin_col() {
	"${PSQL[@]}" -A -F '|' -P footer=off -h "$WORK" -p "$BPORT" -U postgres -d pgbouncer \
		-c "$1" | awk -F '|' -v col="$2" -v db="$POOL_DB" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c && ($1 == db || $3 == db) { print $c }'
}
SERVER_PIDS="$(admin_col 'SHOW SERVERS' remote_pid | sort -u | tr '\n' ' ')"
NSERVERS="$(admin_col 'SHOW SERVERS' remote_pid | wc -l)"
POOL_MODE="$(admin_col 'SHOW POOLS' pool_mode)"
XACTS="$(admin_col 'SHOW STATS' total_xact_count)"

# a committed permission change reaches the shared server connection (and
# the cached generic plan of flp_pool_q on it) at the next transaction
# as_a SQL: one pooled transaction as flp_pool_a; prints V lines and the SQLSTATE
as_a() {
	"${PSQL[@]}" -At -F '|' "${POOL[@]}" 2>/dev/null <<-SQL
		BEGIN;
		SET LOCAL ROLE flp_pool_a;
		SET LOCAL plan_cache_mode = force_generic_plan;
		$1
		\\echo S :SQLSTATE
		COMMIT;
	SQL
}
set_a() {
	"${PSQL[@]}" -v ON_ERROR_STOP=1 -d "$DB" \
		-c "SELECT flp.set_permission('PoolA', 'pooled', 'a', '$1')" >/dev/null
}
CHANGES=""
for step in "hide V|****/beta2/-|S 00000|S 42501" "read V|alpha2/beta2/-|S 00000|S 00000" \
	"hide V|****/beta2/-|S 00000|S 42501"; do
	perm="${step%% *}"
	want="${step#* }"
	set_a "$perm" || fail "flp.set_permission(PoolA, a, $perm)"
	got="$(as_a "$(reprepare flp_pool_q)
EXECUTE flp_pool_q(2);" | tr '\n' '|')"
	got+="$(as_a "SELECT 'V', count(*) FROM pooled WHERE a = 'alpha2';" | grep '^S')"
	[[ "$got" == "$want" ]] || CHANGES+=" a set to $perm: got [$got], expected [$want];"
done

# ---------------------------------------------------------------- verdict
errors=()
[[ -z "$CHANGES" ]] || errors+=("permission changes:$CHANGES")
[[ $client_rc -eq 0 ]] || errors+=("a client failed: $(cat "$WORK"/client*.err | grep -v 'ERROR' | head -3)")
[[ "$NTX" -eq "$EXPECTED_TX" ]] || errors+=("$NTX transactions checked, expected $EXPECTED_TX")
[[ "$BAD" -eq 0 ]] || errors+=("$BAD transactions got another answer than their role's")
[[ "$STRAY" -eq 0 ]] || errors+=("$STRAY output lines outside any transaction")
[[ "$ERRLINES" -eq "$PSQL_REFUSALS" ]] ||
	errors+=("$ERRLINES error lines from psql clients, $PSQL_REFUSALS expected refusals")
[[ -z "$OTHER_ERR" ]] || errors+=("unexpected client errors: $OTHER_ERR")
[[ "$NPIDS" -eq 1 ]] || errors+=("transactions ran on $NPIDS server backends, expected 1 (default_pool_size = 1)")
[[ "$NROLES_ON_PID" -eq 3 ]] || errors+=("only $NROLES_ON_PID of 3 roles seen on backend $PID")
[[ "$ROLE_SWITCHES" -gt 0 && "$CLIENT_SWITCHES" -gt 0 ]] ||
	errors+=("no interleaving: $ROLE_SWITCHES role switches, $CLIENT_SWITCHES client switches")
[[ "$NSERVERS" -eq 1 && "$SERVER_PIDS" == "$PID " ]] ||
	errors+=("SHOW SERVERS: $NSERVERS server connection(s) (pids $SERVER_PIDS), expected 1 with pid $PID")
[[ "${XACTS:-0}" -ge "$EXPECTED_TX" ]] || errors+=("pgbouncer counted ${XACTS:-0} transactions, expected >= $EXPECTED_TX")
[[ "$POOL_MODE" == transaction ]] || errors+=("SHOW POOLS: pool_mode '$POOL_MODE', expected transaction")

echo "  pgbouncer $BVERSION, pool_mode = transaction, default_pool_size = 1;" \
	"psycopg clients: $([[ ${#PY_PREPARE[@]} -gt 0 ]] && echo 'named prepared statements' || echo 'unnamed extended-protocol statements')"
echo "  $NTX transactions from $PSQL_CLIENTS psql + $PY_CLIENTS psycopg clients," \
	"$NREF refusals as expected; all on backend $PID ($ROLE_SWITCHES role switches," \
	"$CLIENT_SWITCHES client switches between consecutive transactions)"
if [[ ${#errors[@]} -gt 0 ]]; then
	printf '  %s\n' "${errors[@]}" >&2
	tail -n 20 "$WORK/pgbouncer.log" >&2
	fail "${#errors[@]} check(s) failed"
fi
echo "ok $NAME: $NTX pooled transactions, 0 mismatches, 3 roles on 1 shared server connection ($((SECONDS - T0))s)"
