#!/usr/bin/python3
"""test/differential/diff.py -- run a query corpus on two clusters and compare.

Used by test/shell/55-differential.sh: cluster A preloads flp and has the
extension (and rules) in the database, cluster B is plain PostgreSQL with the
same schema, data and roles.  Every query of the corpus files (sqlsmith
--dry-run output: statements end with ";" at the end of a line; sqlsmith
writes no string literals) runs as the same role on both, each time in its own
transaction that is rolled back, with a statement_timeout:

    BEGIN; <query>; ROLLBACK

and the outcomes must be the same: for a query that succeeds, the command tag,
the rows (sorted, unless the query has an ORDER BY at its top level, outside
any parentheses), and the notices; for a query that fails, the SQLSTATE and
the primary message.  When they differ, the query runs once more on both: if
either cluster answers differently from its first answer, the query is not
deterministic (random, sampling without REPEATABLE, clocks, ...) and is
dropped; if both repeat themselves, it is a DIFFERENCE.

Before running, sqlsmith's TABLESAMPLE clauses get "REPEATABLE (0)" (the
same sample of the same pages on both clusters), and queries matching a line
of the deny file (a case-insensitive regex per line, "#" comments) are
skipped.  A query that times out on either side is skipped too.

Writes "queries=N compared=N same_ok=N same_error=N differences=N
nondeterministic=N timeouts=N filtered=N crashes=N same_ok_governed=N" to --stats and the
differences (query and both outcomes) to --report.  Exit status 0 when it ran
(whatever it found), not 0 when it could not run.
"""

import argparse
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
    sys.stderr.write("diff.py: python3-psycopg is missing\n")
    sys.exit(2)

DF = pq.DiagnosticField
MAX_ROWS = 200000
TABLESAMPLE = re.compile(r"(tablesample\s+(?:bernoulli|system)\s*\([^()]*\))", re.I)


def top_level_order_by(sql):
    """Does the statement have ORDER BY outside any parentheses?"""
    depth = 0
    flat = []
    for ch in sql:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            flat.append(ch)
            continue
        flat.append(" ")
    return re.search(r"\border\s+by\b", "".join(flat), re.I) is not None


class Outcome:
    """What a query did: ok (tag, rows, notices), error, timeout, lost."""

    def __init__(self, kind, tag="", rows=None, notices=(), state="", message=""):
        self.kind = kind
        self.tag = tag
        self.rows = rows
        self.notices = tuple(notices)
        self.state = state
        self.message = message

    def key(self, ordered):
        if self.kind == "ok":
            rows = self.rows if ordered else sorted(self.rows, key=lambda r: [
                (v is None, v or b"") for v in r])
            h = hashlib.sha256(repr(rows).encode()).hexdigest()
            return ("ok", self.tag, h, self.notices)
        if self.kind == "error":
            return ("error", self.state, self.message)
        return (self.kind,)

    def describe(self, limit=5):
        if self.kind == "ok":
            lines = ["ok: %s, %d rows" % (self.tag, len(self.rows))]
            for r in self.rows[:limit]:
                lines.append("  | " + " | ".join("NULL" if v is None else v.decode(errors="replace")
                                                 for v in r)[:300])
            if len(self.rows) > limit:
                lines.append("  | ...")
            for n in self.notices:
                lines.append("  notice: " + n)
            return "\n".join(lines)
        if self.kind == "error":
            return "error %s: %s" % (self.state, self.message)
        return self.kind


class Side:
    def __init__(self, name, conninfo, timeout_ms):
        self.name = name
        self.conninfo = conninfo.encode()
        self.timeout_ms = timeout_ms
        self.conn = None
        self.notices = []

    def connect(self, patience=60.0):
        deadline = time.time() + patience
        while True:
            conn = pq.PGconn.connect(self.conninfo)
            if conn.status == pq.ConnStatus.OK:
                break
            msg = conn.error_message
            conn.finish()
            if time.time() > deadline:
                raise SystemExit("diff.py: cannot connect to %s: %s"
                                 % (self.name, msg.decode(errors="replace")))
            time.sleep(0.5)
        conn.notice_handler = self.on_notice
        res = conn.exec_(("SET statement_timeout = %d; SET lock_timeout = %d; "
                          "SET client_min_messages = notice"
                          % (self.timeout_ms, self.timeout_ms)).encode())
        if res.status != pq.ExecStatus.COMMAND_OK:
            raise SystemExit("diff.py: session setup failed on %s" % self.name)
        self.conn = conn

    def on_notice(self, res):
        sev = (res.error_field(DF.SEVERITY_NONLOCALIZED) or b"").decode()
        msg = (res.error_field(DF.MESSAGE_PRIMARY) or b"").decode(errors="replace")
        self.notices.append("%s: %s" % (sev, msg))

    def run(self, sql):
        if self.conn is None or self.conn.status != pq.ConnStatus.OK:
            self.connect()
        self.notices = []
        res = self.conn.exec_(b"BEGIN")
        if res is None or res.status != pq.ExecStatus.COMMAND_OK:
            self.connect()
            self.conn.exec_(b"BEGIN")
        conn = self.conn
        lost = False
        results = []
        try:
            conn.send_query(sql)
            conn.flush()
            soft = time.time() + self.timeout_ms / 1000.0 + 3.0
            cancelled = False
            while True:
                conn.consume_input()
                if not conn.is_busy():
                    break
                if time.time() > soft and not cancelled:
                    conn.get_cancel().cancel()
                    cancelled = True
                if time.time() > soft + 10.0:
                    conn.finish()
                    self.conn = None
                    return Outcome("hang")
                select.select([conn.socket], [], [], 0.2)
            while True:
                r = conn.get_result()
                if r is None:
                    break
                results.append(r)
        except Exception:
            lost = True
        if lost or conn.status != pq.ConnStatus.OK:
            self.conn = None
            return Outcome("lost")
        out = None
        for r in results:
            st = r.status
            if st == pq.ExecStatus.FATAL_ERROR:
                state = (r.error_field(DF.SQLSTATE) or b"").decode()
                msg = (r.error_field(DF.MESSAGE_PRIMARY) or b"").decode(errors="replace")
                out = Outcome("timeout" if state == "57014" else "error", state=state, message=msg)
            elif st in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
                if r.ntuples > MAX_ROWS:
                    out = Outcome("too many rows")
                    continue
                rows = [tuple(r.get_value(i, j) for j in range(r.nfields))
                        for i in range(r.ntuples)]
                out = Outcome("ok", tag=(r.command_status or b"").decode(), rows=rows,
                              notices=self.notices)
            else:
                out = Outcome("unexpected result status %s" % st)
        if out is None:
            out = Outcome("no result")
        res = conn.exec_(b"ROLLBACK")
        if res is None or res.status != pq.ExecStatus.COMMAND_OK:
            conn.finish()
            self.conn = None
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="conninfo of the cluster with flp")
    ap.add_argument("--b", required=True, help="conninfo of the cluster without flp")
    ap.add_argument("--corpus", action="append", required=True)
    ap.add_argument("--deny")
    ap.add_argument("--timeout-ms", type=int, default=1000)
    ap.add_argument("--label", default="")
    ap.add_argument("--governed", help="a regex of governed tables: counts the queries that "
                    "name one and gave the same rows (same_ok_governed)")
    ap.add_argument("--report", required=True)
    ap.add_argument("--stats", required=True)
    args = ap.parse_args()

    deny = load_deny(args.deny)
    a = Side("with flp", args.a, args.timeout_ms)
    b = Side("without flp", args.b, args.timeout_ms)
    a.connect()
    b.connect()
    stats = dict(queries=0, compared=0, same_ok=0, same_error=0, differences=0,
                 nondeterministic=0, timeouts=0, filtered=0, crashes=0, same_ok_governed=0)
    governed = re.compile(args.governed, re.I) if args.governed else None
    report = open(args.report, "a", encoding="utf-8")
    n = 0
    for path in args.corpus:
        for sql in split_corpus(path):
            n += 1
            stats["queries"] += 1
            if deny is not None and deny.search(sql):
                stats["filtered"] += 1
                continue
            sql = TABLESAMPLE.sub(r"\1 repeatable (0)", sql)
            ordered = top_level_order_by(sql)
            q = sql.encode()
            ra, rb = a.run(q), b.run(q)
            if "lost" in (ra.kind, rb.kind) or "hang" in (ra.kind, rb.kind):
                stats["crashes"] += 1
                report.write("=== CRASH %s #%d: with flp: %s; without flp: %s\n%s\n\n"
                             % (args.label, n, ra.kind, rb.kind, sql))
                report.flush()
                continue
            if ra.kind in ("timeout", "too many rows") or rb.kind in ("timeout", "too many rows"):
                stats["timeouts"] += 1
                continue
            if ra.key(ordered) == rb.key(ordered):
                stats["compared"] += 1
                stats["same_ok" if ra.kind == "ok" else "same_error"] += 1
                if ra.kind == "ok" and governed is not None and governed.search(sql):
                    stats["same_ok_governed"] += 1
                continue
            ra2, rb2 = a.run(q), b.run(q)
            if ra2.key(ordered) != ra.key(ordered) or rb2.key(ordered) != rb.key(ordered):
                stats["nondeterministic"] += 1
                report.write("--- nondeterministic %s #%d (dropped)\n%s\n\n" % (args.label, n, sql))
                continue
            stats["compared"] += 1
            stats["differences"] += 1
            report.write("=== DIFFERENCE %s #%d%s\n%s\n--- with flp:\n%s\n--- without flp:\n%s\n\n"
                         % (args.label, n, " (rows compared in order)" if ordered else "",
                            sql, ra.describe(), rb.describe()))
            report.flush()
    report.close()
    with open(args.stats, "w", encoding="utf-8") as f:
        f.write(" ".join("%s=%d" % kv for kv in stats.items()) + "\n")


if __name__ == "__main__":
    main()
