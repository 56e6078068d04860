#!/usr/bin/env bash
# test/neighbours/run.sh -- flp next to the extensions DBAs preload beside it.
#
#   bash test/neighbours/run.sh first|last
#
# Starts a throwaway cluster with pg_stat_statements, auto_explain and pgaudit
# preloaded beside flp -- 'first': flp,pg_stat_statements,auto_explain,pgaudit
# (the others' hooks wrap flp's); 'last': pgaudit,auto_explain,
# pg_stat_statements,flp (flp's hooks are the outermost, as the README
# recommends) --, each set to record as much as it can (every statement and
# nested statement, plans with ANALYZE and VERBOSE, bind parameters, row
# counts; and PostgreSQL's own log_statement = all), then:
#   1. checks the start: with 'first', flp names in the server log exactly the
#      libraries whose hooks run before its own (and for which hooks); with
#      'last', none;
#   2. runs the pg_regress suites (REGRESS of the Makefile) against it: the
#      same expected output as without the neighbours;
#   3. runs the attack suite (test/attacks/run.sh): 0 leaks, 0 failures;
#   4. reads pg_stat_statements as the attack suite's subjects: refused to
#      the partner user (and to whom counters are refused), else no canary;
#   5. runs the client-driver test (test/shell/85-drivers.sh: named prepared
#      statements over the extended protocol reused across roles, server-side
#      cursors) against it;
#   6. scans the server log (jsonlog; test/neighbours/scan_log.py): no entry
#      of a subject's session holds a canary; prints what admins' sessions
#      left there, by the extension that wrote it.
# pgaudit comes from Debian's postgresql-N-pgaudit: installed on the host
# (PostgreSQL 15) when missing; elsewhere (test/versions.sh's chroots) the run
# goes on without it when it is not installed, and says so.
#
# Environment (from test/run-tests.sh): FLP_ROOT, FLP_PG_BIN, FLP_PG_VERSION.
# Exit 0 = pass, 1 = fail.
set -uo pipefail

ORDER="${1:-}"
[[ "$ORDER" == first || "$ORDER" == last ]] || {
	echo "usage: run.sh first|last" >&2
	exit 2
}
: "${FLP_ROOT:?FLP_ROOT must be set (test/run-tests.sh sets it)}"
FLP_PG_VERSION="${FLP_PG_VERSION:-15}"
# shellcheck source=test/lib/deps.sh
source "$FLP_ROOT/test/lib/deps.sh"
# shellcheck source=test/lib/cluster.sh
source "$FLP_ROOT/test/lib/cluster.sh"
export FLP_PG_BIN

NAME="neighbours-$ORDER"
PSQL=("$FLP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1)
PG_CONFIG="$FLP_PG_BIN/pg_config"
[[ -x "$PG_CONFIG" ]] || PG_CONFIG=pg_config
SUBJECTS=atk_subject,atk_partner
T0=$SECONDS
TMP="$(mktemp -d /tmp/flp-neighbours.XXXXXX)"
chmod 0755 "$TMP"
FAILED=0

fail() {
	echo "FAIL $NAME: $*" >&2
	FAILED=1
}

die() {
	echo "FAIL $NAME: $*" >&2
	exit 1
}

cleanup() {
	flp_cluster_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- the libraries
NEIGHBOURS=(pg_stat_statements auto_explain)
if [[ -f "$("$PG_CONFIG" --pkglibdir)/pgaudit.so" ]] ||
	{ [[ "$FLP_PG_VERSION" == 15 ]] && flp_deps_ensure "postgresql-$FLP_PG_VERSION-pgaudit"; }; then
	NEIGHBOURS+=(pgaudit)
else
	echo "SKIP pgaudit: postgresql-$FLP_PG_VERSION-pgaudit is not installed here"
fi
if [[ "$ORDER" == first ]]; then
	LIBS="flp$(printf ',%s' "${NEIGHBOURS[@]}")"
else
	LIBS=""
	for ((i = ${#NEIGHBOURS[@]} - 1; i >= 0; i--)); do
		LIBS+="${NEIGHBOURS[i]},"
	done
	LIBS+=flp
fi
echo "  shared_preload_libraries = '$LIBS'"

# ---------------------------------------------------------------- the cluster
flp_cluster_start "" "$LIBS" || die "cannot start a cluster with '$LIBS'"
DIR="$FLP_CLUSTER_DIR"
# record as much as each of them can; the log as JSON (one entry a line, with
# the session's user), started by the logging collector once the postmaster
# runs: what the postmaster says while it loads the libraries stays in
# log/postgresql.log
cat >>"$DIR/data/postgresql.conf" <<EOF || die "cannot write the settings"

# --- test/neighbours/run.sh: everything the neighbours can record ---
pg_stat_statements.track = all
pg_stat_statements.track_utility = on
pg_stat_statements.track_planning = on
auto_explain.log_min_duration = 0
auto_explain.log_analyze = on
auto_explain.log_verbose = on
auto_explain.log_buffers = on
auto_explain.log_triggers = on
auto_explain.log_settings = on
auto_explain.log_nested_statements = on
log_statement = 'all'
log_parameter_max_length = -1
logging_collector = on
log_destination = 'jsonlog'
log_directory = '$DIR/log'
log_filename = 'neighbours.log'
EOF
if [[ " ${NEIGHBOURS[*]} " == *" pgaudit "* ]]; then
	cat >>"$DIR/data/postgresql.conf" <<-EOF || die "cannot write the settings"
		pgaudit.log = 'all'
		pgaudit.log_catalog = on
		pgaudit.log_parameter = on
		pgaudit.log_relation = on
		pgaudit.log_rows = on
		pgaudit.log_statement_once = off
	EOF
fi
flp_cluster_restart "$LIBS" >/dev/null || die "cannot restart with the settings"
# settings that only some versions have: auto_explain's bind parameters (16),
# pgaudit's parameter size limit (16)
optional="$("${PSQL[@]}" -At -c "SELECT string_agg(name, ' ' ORDER BY name) FROM pg_settings
	WHERE name IN ('auto_explain.log_parameter_max_length', 'pgaudit.log_parameter_max_size')")" ||
	die "cannot read pg_settings"
for name in $optional; do
	case "$name" in
	auto_explain.log_parameter_max_length) value=-1 ;;
	pgaudit.log_parameter_max_size) value=0 ;;
	esac
	"${PSQL[@]}" -c "ALTER SYSTEM SET $name = $value" || die "cannot set $name"
done
"${PSQL[@]}" -c "SELECT pg_reload_conf()" >/dev/null || die "cannot reload"
sleep 1

# ---------------------------------------------------------------- 1. the start
# The hooks each neighbour installs, as PostgreSQL's sources show them.
declare -A HOOKS=(
	[pg_stat_statements]="planner_hook ExecutorStart_hook ProcessUtility_hook"
	[auto_explain]="ExecutorStart_hook"
	[pgaudit]="ExecutorStart_hook ProcessUtility_hook"
)
# What flp must say: for each hook of its own, the last library loaded after
# it that installs that hook.
declare -A OUTER=()
after_flp=0
IFS=, read -r -a order <<<"$LIBS"
for lib in "${order[@]}"; do
	if [[ "$lib" == flp ]]; then
		after_flp=1
		continue
	fi
	[[ $after_flp -eq 1 ]] || continue
	for hook in ${HOOKS[$lib]}; do
		OUTER[$hook]="$lib"
	done
done
want=""
for hook in "${!OUTER[@]}"; do
	want+="$hook ${OUTER[$hook]}"$'\n'
done
want="$(sort <<<"$want" | sed '/^$/d')"
# what the last start said (pg_ctl appends to the log)
got="$(awk '/database system is shut down/ { n = 0; delete l } { l[++n] = $0 } END { for (i = 1; i <= n; i++) print l[i] }' \
	"$DIR/log/postgresql.log" | sed -n 's/.*WARNING:  \([A-Za-z_]*\) of library "[^"]*\/\([a-z_]*\)\.so" runs before flp.s$/\1 \2/p' | sort)"
if [[ "$got" != "$want" ]]; then
	fail "flp's start messages name '${got//$'\n'/; }', expected '${want//$'\n'/; }'"
	flp_cluster_log "" 30
else
	echo "  start: flp names ${#OUTER[@]} hook(s) of other libraries running before its own${want:+: ${want//$'\n'/; }}"
fi
if [[ -n "$want" ]]; then
	grep -A3 -m1 'runs before flp' "$DIR/log/postgresql.log" | sed 's/^/    | /'
fi

# ---------------------------------------------------------------- 2. pg_regress
REGRESS="$(make -s --no-print-directory -C "$FLP_ROOT" "PG_CONFIG=$PG_CONFIG" \
	--eval='flp-print-%: ; @echo $($*)' flp-print-REGRESS)" || die "cannot read REGRESS"
PG_REGRESS="$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress"
mkdir -p "$TMP/regress"
ln -s "$FLP_ROOT/expected" "$TMP/regress/expected"
# shellcheck disable=SC2086 # the test list
(cd "$TMP/regress" && "$PG_REGRESS" --bindir="$FLP_PG_BIN" \
	--inputdir="$FLP_ROOT/test" --outputdir="$TMP/regress" --dbname=contrib_regression \
	$REGRESS >"$TMP/regress.out" 2>&1)
# what pg_regress found different, compared again without the neighbours'
# own lines (same_output.py): EXPLAIN's query identifier, log_statement's echo
differ=0
for name in $REGRESS; do
	if [[ ! -f "$TMP/regress/results/$name.out" ]]; then
		echo "  pg_regress: no result for $name"
		differ=$((differ + 1))
	elif ! python3 "$FLP_ROOT/test/neighbours/same_output.py" "$FLP_ROOT/expected/$name.out" \
		"$TMP/regress/results/$name.out" >"$TMP/regress-$name.diff"; then
		head -n 60 "$TMP/regress-$name.diff"
		differ=$((differ + 1))
	fi
done
if [[ $differ -eq 0 ]]; then
	echo "  pg_regress: $(wc -w <<<"$REGRESS") suites answer as without the neighbours" \
		"($(grep -c 'FAILED' "$TMP/regress.out") differ only by EXPLAIN's query identifier or log_statement's echo)"
else
	fail "pg_regress: $differ suites differ next to $LIBS"
fi

# ---------------------------------------------------------------- 3. attacks
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS contrib_regression WITH (FORCE)" >/dev/null 2>&1
# every statement is logged, its plan analysed: slower statements (each
# attack session has 60 s)
if FLP_ATTACK_STATEMENT_TIMEOUT=150s FLP_ATTACK_SESSION_TIMEOUT=170 bash "$FLP_ROOT/test/attacks/run.sh" >"$TMP/attacks.out" 2>&1; then
	grep '^flp attacks:' "$TMP/attacks.out" | sed 's/^/  /'
else
	grep -v '^ok ' "$TMP/attacks.out"
	fail "the attack suite failed next to $LIBS"
fi

# ---------------------------------------------------------------- 4. pg_stat_statements
canary_regex() {
	local c
	while IFS= read -r c || [[ -n "$c" ]]; do
		[[ -z "$c" || "$c" == \#* ]] && continue
		printf '%s\n' "$c"
		printf '%s' "$c" | md5sum | cut -d' ' -f1
	done <"$FLP_ROOT/test/attacks/canaries.txt"
}
canary_regex >"$TMP/patterns"
"${PSQL[@]}" -d flp_attacks -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null ||
	fail "cannot create pg_stat_statements"
admin_texts="$("${PSQL[@]}" -At -d flp_attacks -c "SELECT count(*) FROM pg_stat_statements")"
admin_hits="$("${PSQL[@]}" -At -d flp_attacks -c "SELECT query FROM pg_stat_statements" |
	LC_ALL=C grep -a -c -i -F -f "$TMP/patterns")"
# pg_stat_statements' block counts are refused to subjects that row rules
# scope (atk_partner: a partner scope) and to those from whom a field a
# sequence fills is hidden (atk_subject) -- README, "Activity counters"; a
# role that reads it must find no canary.
for role in ${SUBJECTS//,/ }; do
	if out="$("${PSQL[@]}" -At -U "$role" -d flp_attacks \
		-c "SELECT count(*) FILTER (WHERE query <> '<insufficient privilege>') || ' of ' || count(*) FROM pg_stat_statements" \
		-c "SELECT query FROM pg_stat_statements" 2>&1)"; then
		[[ "$role" != atk_partner ]] || fail "pg_stat_statements is not refused to atk_partner, whom a partner scope scopes"
	elif [[ "$out" == *"permission denied for function pg_stat_statements"* ]]; then
		echo "  pg_stat_statements: refused to $role (its counters are)"
		continue
	else
		fail "$role cannot read pg_stat_statements: $out"
	fi
	hits="$(LC_ALL=C grep -a -i -F -f "$TMP/patterns" <<<"$out" | head -n 3)"
	if [[ -n "$hits" ]]; then
		fail "pg_stat_statements shows $role a canary: $hits"
	else
		echo "  pg_stat_statements: $role reads the text of $(head -n 1 <<<"$out") statements (its own), no canary"
	fi
done
echo "  pg_stat_statements: the superuser reads $admin_texts statements, $admin_hits with a canary (normalised constants; utility statements as written)"

# ---------------------------------------------------------------- 4b. masks
# Masks run on the hidden value: a mask written in SQL runs as a statement of
# its own, whose parameter -- the hidden value -- pgaudit's log_parameter and
# auto_explain's log_parameter_max_length (16+) may record.
"${PSQL[@]}" -d flp_attacks >/dev/null <<'SQL' || fail "cannot set up the mask probe"
SET client_min_messages = warning;
CREATE TABLE vault.nbr_masks (id int PRIMARY KEY, h text, e text, l text);
INSERT INTO vault.nbr_masks VALUES (1, 'NBRHASH_7c1e2b', 'nbrmail_3f2a@example.com', 'NBRLAST4_9d4b0000');
SELECT flp.protect('vault.nbr_masks');
SELECT flp.exclude_field('vault.nbr_masks', 'id');
SELECT flp.set_permission('Atk', 'vault.nbr_masks', NULL, 'edit');
SELECT flp.set_permission('Atk', 'vault.nbr_masks', f, 'hide') FROM unnest('{h,e,l}'::name[]) f;
SELECT flp.set_mask('vault.nbr_masks', 'h', 'flp.mask_hash(text)');
SELECT flp.set_mask('vault.nbr_masks', 'e', 'flp.mask_email(text)');
SELECT flp.set_mask('vault.nbr_masks', 'l', 'flp.mask_last4(text)');
GRANT SELECT ON vault.nbr_masks TO atk_subject;
SQL
out="$("${PSQL[@]}" -At -U atk_subject -d flp_attacks -c "SELECT length(h), e, l FROM vault.nbr_masks" 2>&1)"
[[ "$out" == "64|n***@example.com|****0000" ]] || fail "the masks answered '$out'"

# ---------------------------------------------------------------- 5. drivers
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS flp_attacks WITH (FORCE)" \
	-c "DROP ROLE IF EXISTS atk_etl, atk_subject, atk_admin, atk_partner, atk_viewowner" >/dev/null 2>&1
if FLP_ROOT="$FLP_ROOT" bash "$FLP_ROOT/test/shell/85-drivers.sh" >"$TMP/drivers.out" 2>&1; then
	grep '^ok ' "$TMP/drivers.out" | sed 's/^/  /'
else
	cat "$TMP/drivers.out"
	fail "the client-driver test failed next to $LIBS"
fi

# ---------------------------------------------------------------- 6. the log
if [[ ! -s "$DIR/log/neighbours.json" ]]; then
	fail "no jsonlog written"
elif ! python3 "$FLP_ROOT/test/neighbours/scan_log.py" "$DIR/log/neighbours.json" \
	"$FLP_ROOT/test/attacks/canaries.txt" "$SUBJECTS" >"$TMP/scan.out" 2>&1; then
	cat "$TMP/scan.out"
	fail "a canary reached the server log from a subject's session"
else
	echo "  server log: $(du -h "$DIR/log/neighbours.json" | cut -f1) of jsonlog; entries holding a canary:"
	grep -v -E '^(kinds|subject-hits|undeclared) ' "$TMP/scan.out"
fi
# the masks' probe: where the values they hide reached the log from the
# subject's session (nested statements only, or the scan fails)
for probe in flp.mask_hash:NBRHASH_7c1e2b flp.mask_email:nbrmail_3f2a flp.mask_last4:NBRLAST4_9d4b; do
	mask="${probe%%:*}"
	printf '%s\n' "${probe#*:}" >"$TMP/probe"
	python3 "$FLP_ROOT/test/neighbours/scan_log.py" "$DIR/log/neighbours.json" "$TMP/probe" \
		atk_subject >"$TMP/probe.out" 2>&1
	if ! grep -q '^undeclared 0$' "$TMP/probe.out"; then
		cat "$TMP/probe.out"
		fail "the value masked by $mask reached the log in an undeclared way"
	else
		echo "  $mask: the value it masks is in $(sed -n 's/^subject-hits //p' "$TMP/probe.out")" \
			"log entries of the subject's session ($(sed -n 's/^kinds //p' "$TMP/probe.out"))"
	fi
done

[[ $FAILED -eq 0 ]] || exit 1
echo "ok $NAME: '$LIBS' ($((SECONDS - T0))s)"
