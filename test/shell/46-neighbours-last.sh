#!/usr/bin/env bash
# test/shell/46-neighbours-last.sh -- flp listed last in
# shared_preload_libraries, after pgaudit, auto_explain and
# pg_stat_statements, as the README recommends: flp's hooks are the
# outermost, flp says nothing at start, and the regress suites, the attack
# suite and the client drivers answer as without them; nothing of a hidden
# value reaches pg_stat_statements or the server log from a subject's session
# (test/neighbours/run.sh).
# flp-test-timeout: 600
set -uo pipefail
exec bash "$FLP_ROOT/test/neighbours/run.sh" last
