#!/usr/bin/python3
"""test/fuzz/driver.py -- run a sqlsmith corpus as one role and judge every answer.

Used by test/shell/50-fuzz.sh.  Every query of the corpus files (sqlsmith
--dry-run output: statements separated by ";" at the end of a line; sqlsmith
never writes string literals, so that cannot occur inside a statement) runs on
its own connection's fresh transaction, which is rolled back afterwards:

    BEGIN; <query>; ROLLBACK

with statement_timeout and lock_timeout set for the session, and a client-side
watchdog that cancels a query still running a few seconds after its timeout
(and gives up on the connection, as a HANG, if even that does not help).

Findings (each one fails the run):
  LEAK      a canary, or its md5 hex, hex, base64 or reversed text (compared
            case-insensitively) in a result value, a notice or any field of an
            error (message, detail, hint, context, internal query, ...)
  CRASH     the connection was lost (the backend died: "server closed the
            connection unexpectedly"), or terminated because another backend
            crashed (SQLSTATE 57P01/57P02/57P03); the driver reconnects and
            goes on
  INTERNAL  an error of class XX (XX000 internal error, XX001/XX002
            corruption), or any error or notice whose message starts with
            "flp:".  With --plain-conninfo (a copy of the database with flp
            dropped), an XX error that the same role gets there as well, with
            the same message, is PostgreSQL's own: it is counted as pg_internal
            and noted in the findings, but is not a finding against flp.  So is
            one that a super admin gets in the same database (--admin-conninfo):
            flp does not rewrite its queries (for queries that call flp's own
            functions, which the copy lacks)
  HANG      a query that did not return within timeout + 10 s despite a cancel

Everything else -- refusals (42501), syntax/type errors, timeouts (57014) --
is an ordinary error and only counted.

Queries that match a line of the deny file (a case-insensitive regex per line;
"#" starts a comment) are skipped and counted as filtered, as are queries that
quote a canary (then an error message quoting the query could not be told
from a leak; sqlsmith does not know the data, so this should never happen).

Writes a line "queries=N ok=N errors=N filtered=N leaks=N crashes=N
internal=N hangs=N timeouts=N refused=N pg_internal=N vault_ok=N" (vault_ok:
queries that name a vault object and ran without error) and a line of SQLSTATE
counts to --stats, and one block per finding to --findings (the query, what
was found and where).  Exit status 0 when it ran (whatever it found), not 0
when it could not run.
"""

import argparse
import base64
import hashlib
import os
import re
import select
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from corpus import load_deny, split_corpus  # noqa: E402

try:
    from psycopg import pq
except ImportError:  # pragma: no cover
    sys.stderr.write("driver.py: python3-psycopg is missing\n")
    sys.exit(2)

DF = pq.DiagnosticField
CRASH_STATES = {"57P01", "57P02", "57P03"}


def load_patterns(paths, visible=()):
    """Canaries of the canary files (but the visible ones) and the text forms a
    query could turn them into."""
    forms = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                c = line.rstrip("\n")
                if not c.strip() or c.startswith("#") or c in visible:
                    continue
                b = c.encode()
                forms.add(b)
                forms.add(hashlib.md5(b).hexdigest().encode())
                if len(b) >= 6:
                    forms.add(b.hex().encode())
                    forms.add(base64.b64encode(b).rstrip(b"="))
                    forms.add(b[::-1])
    forms = sorted((p.lower() for p in forms), key=len, reverse=True)
    if not forms:
        raise SystemExit("driver.py: no canaries in %s" % ", ".join(paths))
    return re.compile(b"|".join(re.escape(p) for p in forms))


def error_text(res):
    """Every field of an error/notice result, as one bytes blob."""
    parts = [res.error_message or b""]
    for fld in DF:
        v = res.error_field(fld)
        if v:
            parts.append(v)
    return b"\n".join(parts)


class Driver:
    def __init__(self, args):
        self.args = args
        self.conninfo = args.conninfo.encode()
        self.timeout_ms = args.timeout_ms
        self.canary = load_patterns(args.canaries, set(args.visible or ()))
        self.deny = load_deny(args.deny)
        self.conn = None
        self.notices = []
        self.stats = dict(queries=0, ok=0, errors=0, filtered=0, leaks=0, crashes=0,
                          internal=0, hangs=0, timeouts=0, refused=0, pg_internal=0,
                          vault_ok=0)
        self.findings = open(args.findings, "a", encoding="utf-8")
        self.sqlstates = {}
        self.qlog = open(args.log, "w", encoding="utf-8") if args.log else None

    # ------------------------------------------------------------ connection
    def connect(self, patience=60.0):
        deadline = time.time() + patience
        while True:
            conn = pq.PGconn.connect(self.conninfo)
            if conn.status == pq.ConnStatus.OK:
                break
            msg = conn.error_message
            conn.finish()
            if time.time() > deadline:
                raise SystemExit("driver.py: cannot connect: %s" % msg.decode(errors="replace"))
            time.sleep(0.5)
        conn.notice_handler = self.on_notice
        setup = ("SET statement_timeout = %d; SET lock_timeout = %d; "
                 "SET idle_in_transaction_session_timeout = 0; SET client_min_messages = notice"
                 % (self.timeout_ms, self.timeout_ms))
        res = conn.exec_(setup.encode())
        if res.status != pq.ExecStatus.COMMAND_OK:
            raise SystemExit("driver.py: session setup failed: %s" % res.error_message)
        self.conn = conn

    def on_notice(self, res):
        self.notices.append(error_text(res))

    def simple(self, sql):
        res = self.conn.exec_(sql)
        return res is not None and res.status == pq.ExecStatus.COMMAND_OK

    def reproduced_without_flp(self, sql, state, primary):
        """Does the same error come without flp's rewriting: for the same role in
        the copy of the database without flp, or for a super admin (whose queries
        flp leaves as they are) in this database?  (A query that calls flp's own
        functions cannot run in the copy.)"""
        return any(self.same_error(conninfo, sql, state, primary)
                   for conninfo in (self.args.plain_conninfo, self.args.admin_conninfo)
                   if conninfo)

    def same_error(self, conninfo, sql, state, primary):
        conn = pq.PGconn.connect(conninfo.encode())
        try:
            if conn.status != pq.ConnStatus.OK:
                return False
            conn.exec_(("SET statement_timeout = %d; SET lock_timeout = %d"
                        % (self.timeout_ms * 5, self.timeout_ms * 5)).encode())
            conn.exec_(b"BEGIN")
            res = conn.exec_(sql.encode())
            return (res is not None and res.status == pq.ExecStatus.FATAL_ERROR
                    and (res.error_field(DF.SQLSTATE) or b"").decode() == state
                    and (res.error_field(DF.MESSAGE_PRIMARY) or b"").decode(errors="replace")
                    == primary)
        finally:
            conn.finish()

    # ------------------------------------------------------------ running
    def run(self, sql):
        """Send one query; return (results, lost, hung)."""
        conn = self.conn
        try:
            conn.send_query(sql)
            conn.flush()
        except Exception:
            return [], True, False
        soft = time.time() + self.timeout_ms / 1000.0 + 3.0
        hard = soft + 10.0
        cancelled = False
        lost = False
        try:
            while True:
                conn.consume_input()
                if not conn.is_busy():
                    break
                now = time.time()
                if now > soft and not cancelled:
                    conn.get_cancel().cancel()
                    cancelled = True
                if now > hard:
                    return [], False, True
                select.select([conn.socket], [], [], 0.2)
        except Exception:
            lost = True
        results = []
        try:
            while True:
                r = conn.get_result()
                if r is None:
                    break
                results.append(r)
        except Exception:
            lost = True
        if conn.status != pq.ConnStatus.OK:
            lost = True
        return results, lost, False

    def finding(self, kind, n, sql, what):
        self.findings.write("=== %s: %s query #%d: %s\n%s\n\n"
                            % (kind, self.args.role, n, what, sql))
        self.findings.flush()

    def check_blob(self, blob):
        m = self.canary.search(blob.lower())
        return m.group(0).decode(errors="replace") if m else None

    def one(self, n, sql):
        self.stats["queries"] += 1
        if self.deny is not None and self.deny.search(sql):
            self.stats["filtered"] += 1
            return
        if self.check_blob(sql.encode()):
            self.stats["filtered"] += 1
            return
        if self.conn is None or self.conn.status != pq.ConnStatus.OK:
            self.connect()
        self.notices = []
        if not self.simple(b"BEGIN"):
            self.connect()
            if not self.simple(b"BEGIN"):
                raise SystemExit("driver.py: cannot BEGIN")
        results, lost, hung = self.run(sql.encode())
        leak = None
        internal = None
        crashed = lost
        error = None
        first_primary = ""
        for r in results:
            st = r.status
            if st == pq.ExecStatus.TUPLES_OK or st == pq.ExecStatus.SINGLE_TUPLE:
                vals = []
                for i in range(r.ntuples):
                    for j in range(r.nfields):
                        v = r.get_value(i, j)
                        if v is not None:
                            vals.append(v)
                hit = self.check_blob(b"\x1f".join(vals))
                if hit:
                    leak = leak or ("output contains %r" % hit)
            elif st in (pq.ExecStatus.FATAL_ERROR, pq.ExecStatus.NONFATAL_ERROR,
                        pq.ExecStatus.BAD_RESPONSE):
                text = error_text(r)
                hit = self.check_blob(text)
                if hit:
                    leak = leak or ("error message contains %r" % hit)
                state = (r.error_field(DF.SQLSTATE) or b"").decode()
                primary = (r.error_field(DF.MESSAGE_PRIMARY) or b"").decode(errors="replace")
                error = state or "?????"
                first_primary = first_primary or primary
                if state in CRASH_STATES or (not state and lost):
                    crashed = True
                if primary.startswith("flp:"):
                    internal = "%s %s" % (state, text.decode(errors="replace").strip())
                elif state.startswith("XX"):
                    if self.reproduced_without_flp(sql, state, primary):
                        self.stats["pg_internal"] += 1
                        self.finding("NOTE (PostgreSQL's own internal error, the same without flp)",
                                     n, sql, "%s %s" % (state, primary))
                    else:
                        internal = "%s %s" % (state, text.decode(errors="replace").strip())
            elif st in (pq.ExecStatus.COPY_OUT, pq.ExecStatus.COPY_IN, pq.ExecStatus.COPY_BOTH):
                # sqlsmith writes no COPY; get out of the copy state the hard way
                lost = crashed = True
        for text in self.notices:
            hit = self.check_blob(text)
            if hit:
                leak = leak or ("notice contains %r" % hit)
            if b"flp:" in text.split(b"\n", 1)[0]:
                internal = internal or ("notice: %s" % text.decode(errors="replace").strip())
        if not (error or crashed or hung) and re.search(r"\bvault\.", sql):
            self.stats["vault_ok"] += 1
        if leak:
            self.stats["leaks"] += 1
            self.finding("LEAK", n, sql, leak)
        if internal:
            self.stats["internal"] += 1
            self.finding("INTERNAL", n, sql, internal)
        if hung:
            self.stats["hangs"] += 1
            self.finding("HANG", n, sql, "no answer %d ms after a cancel" % 10000)
            self.conn.finish()
            self.conn = None
            return
        if crashed:
            self.stats["crashes"] += 1
            msgs = "; ".join(error_text(r).decode(errors="replace").strip()
                             for r in results) or "connection lost"
            self.finding("CRASH", n, sql, msgs)
            try:
                self.conn.finish()
            except Exception:
                pass
            self.conn = None
            time.sleep(1.0)
            return
        if self.qlog:
            self.qlog.write("%d\t%s\t%s\n" % (n, error or "ok", first_primary.replace("\n", " ")))
        if error:
            self.stats["errors"] += 1
            self.sqlstates[error] = self.sqlstates.get(error, 0) + 1
            if error == "57014":
                self.stats["timeouts"] += 1
            if error == "42501":
                self.stats["refused"] += 1
        else:
            self.stats["ok"] += 1
        if not self.simple(b"ROLLBACK"):
            self.conn.finish()
            self.conn = None

    def main(self):
        self.connect()
        n = 0
        for path in self.args.corpus:
            for sql in split_corpus(path):
                n += 1
                self.one(n, sql)
        if self.conn is not None:
            self.conn.finish()
        with open(self.args.stats, "w", encoding="utf-8") as f:
            f.write(" ".join("%s=%d" % kv for kv in self.stats.items()) + "\n")
            f.write("sqlstates " + " ".join(
                "%s=%d" % kv for kv in sorted(self.sqlstates.items(), key=lambda kv: -kv[1])) + "\n")
        self.findings.close()
        if self.qlog:
            self.qlog.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conninfo", required=True)
    ap.add_argument("--role", required=True, help="for the report")
    ap.add_argument("--corpus", action="append", required=True)
    ap.add_argument("--canaries", action="append", required=True)
    ap.add_argument("--plain-conninfo",
                    help="a copy of the database without flp: an XX error that the same role "
                         "gets there too is PostgreSQL's own, not flp's")
    ap.add_argument("--admin-conninfo",
                    help="this database as a super admin, whose queries flp does not rewrite: "
                         "an XX error it gets too is PostgreSQL's own, not flp's")
    ap.add_argument("--visible", action="append",
                    help="a canary that this role may see (not a leak)")
    ap.add_argument("--deny")
    ap.add_argument("--timeout-ms", type=int, default=1000)
    ap.add_argument("--findings", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--log", help="write 'N<TAB>SQLSTATE or ok<TAB>message' per query run")
    Driver(ap.parse_args()).main()


if __name__ == "__main__":
    main()
