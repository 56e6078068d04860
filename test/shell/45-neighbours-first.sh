#!/usr/bin/env bash
# test/shell/45-neighbours-first.sh -- flp listed first in
# shared_preload_libraries, before pg_stat_statements, auto_explain and
# pgaudit, whose hooks then wrap flp's: flp names them at start, and the
# regress suites, the attack suite and the client drivers answer as without
# them; nothing of a hidden value reaches pg_stat_statements or the server log
# from a subject's session (test/neighbours/run.sh).
# flp-test-timeout: 600
set -uo pipefail
exec bash "$FLP_ROOT/test/neighbours/run.sh" first
