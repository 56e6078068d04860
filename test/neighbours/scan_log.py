#!/usr/bin/env python3
"""test/neighbours/scan_log.py -- what a server log (jsonlog) holds of the
attack suite's canaries, by who ran the statement and by what wrote it.

  scan_log.py LOG.json CANARIES SUBJECTS

CANARIES: the attack suite's canaries.txt (one canary a line; empty lines and
lines starting with # are skipped); a canary or the md5 hex of one is a hit,
case-insensitively, as for the attack suite's run.sh.  SUBJECTS: comma-separated role names whose sessions are
subjects' (atk_subject,atk_partner).  Every log entry is one JSON object;
each is classified by its writer:

  pg_stat_statements  (writes nothing to the log)
  auto_explain        "duration: ... plan:" entries (a plan, with its constants)
  pgaudit             "AUDIT: ..." entries (statement text, parameters, rows)
  log_statement       PostgreSQL's own "statement:", "execute ...:" entries
  error               an entry of severity ERROR and above (its statement
                      text is log_min_error_statement's)
  other               anything else

A canary in an entry of a subject's session is one of
  own        the subject's own literal: its statement text (auto_explain's
             "Query Text", pgaudit's statement of a top-level statement,
             log_statement's text) spells it once the literals it
             concatenates are joined ('CNRY_TXT_' || '5e1d': the attack
             catalogue never writes a canary in one piece), and the plan
             shows it folded;
  nested     a value given to a nested statement: pgaudit's parameter field
             of a substatement (log_parameter), auto_explain's "Query
             Parameters" line (log_parameter_max_length, 16+), and the
             same value as a constant of that statement's custom plan -- the
             arguments of SQL functions that run as statements of their own,
             such as a mask function flp calls with the hidden value --, and
             the plan auto_explain logs (log_nested_statements) of a
             foreign-key check, whose key is a constant of its custom plan
             (declared in the README, "Next to other extensions");
  undeclared anything else.
Prints, per writer, how many entries hold a canary in admins' sessions and in
subjects' sessions (own, nested, undeclared), with up to three examples of
each kind of subject hit, and the lines "kinds own=N nested=N undeclared=N",
"subject-hits N" and "undeclared N".  Exit status 0 when no
entry of a subject's session holds an undeclared canary, 1 otherwise, 2 on
bad input.
"""
import collections
import csv
import hashlib
import json
import re
import sys


WRITERS = ("auto_explain", "pgaudit", "log_statement", "error", "other")


def writer(entry):
    msg = entry.get("message", "")
    if msg.startswith("AUDIT:"):
        return "pgaudit"
    if msg.startswith("duration:") and "plan:" in msg:
        return "auto_explain"
    if msg.startswith("statement:") or msg.startswith("execute ") or \
            (msg.startswith("duration:") and ("statement:" in msg or "execute" in msg)):
        return "log_statement"
    if entry.get("error_severity") in ("ERROR", "FATAL", "PANIC"):
        return "error"
    return "other"


# PostgreSQL's foreign-key checks (ri_triggers.c), as the planner sees them
RI_CHECK = re.compile(r'^SELECT 1 FROM (ONLY )?\S+ x WHERE .* FOR KEY SHARE OF x$', re.S)


def joined(text):
    """The text with concatenated literals joined: 'a' || 'b' -> 'ab'."""
    return re.sub(r"'\s*\|\|\s*'", "", text).lower()


def query_text(msg):
    """auto_explain's "Query Text:", up to the plan's first line."""
    m = re.search(r"Query Text: (.*?)(?=\n(?:Query Parameters:|Query Identifier:|[^\n]*\(cost=))",
                  msg, re.S)
    return m.group(1) if m else ""


def kind_of_hit(w, entry, pattern):
    """own, nested or undeclared (see the module's comment)."""
    msg = entry.get("message", "")
    if w == "auto_explain":
        text = query_text(msg)
        if pattern in joined(text):
            return "own"
        if RI_CHECK.match(text):
            return "nested"
        # a parameter, which a custom plan also shows as a constant
        params = [l for l in msg.split("\n") if l.startswith("Query Parameters:")]
        if any(pattern in l.lower() for l in params):
            return "nested"
        return "undeclared"
    if w == "pgaudit":
        fields = next(csv.reader([msg[len("AUDIT: "):]]))
        if len(fields) < 8:
            return "undeclared"
        statement, rest = fields[7], ",".join(fields[8:]).lower()
        top_level = fields[2] == "1"
        if top_level and pattern in joined(statement):
            return "own"
        if pattern not in statement.lower() and pattern in rest and not top_level:
            return "nested"
        return "undeclared"
    if w == "log_statement" and pattern in joined(msg):
        return "own"
    return "undeclared"


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    log, canaries_file, subjects = sys.argv[1:]
    patterns = []
    for c in open(canaries_file, encoding="utf-8").read().split("\n"):
        if c and not c.startswith("#"):
            patterns += [c.lower(), hashlib.md5(c.encode()).hexdigest()]
    if not patterns:
        print(f"scan_log.py: no canaries in {canaries_file}", file=sys.stderr)
        return 2
    subjects = set(s for s in subjects.split(",") if s)
    counts = collections.Counter()
    entries = collections.Counter()
    examples = collections.defaultdict(list)
    undeclared = 0
    with open(log, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                print(f"scan_log.py: {log}:{n}: not JSON", file=sys.stderr)
                return 2
            who = "subject" if entry.get("user") in subjects else "admin"
            w = writer(entry)
            entries[(w, who)] += 1
            text = "\n".join(str(v) for v in entry.values()).lower()
            hits = [p for p in patterns if p in text]
            if not hits:
                continue
            if who == "admin":
                counts[(w, "admin")] += 1
                continue
            kinds = set(kind_of_hit(w, entry, p) for p in hits)
            kind = "undeclared" if "undeclared" in kinds else "nested" if "nested" in kinds else "own"
            counts[(w, kind)] += 1
            undeclared += kind == "undeclared"
            if len(examples[(w, kind)]) < 3:
                examples[(w, kind)].append((hits[0], entry))
    for w in WRITERS:
        print(f"  {w:13} admins: {counts[(w, 'admin')]:5} of {entries[(w, 'admin')]:6} entries hold a canary;"
              f" subjects: {counts[(w, 'own')]} own literal, {counts[(w, 'nested')]} nested,"
              f" {counts[(w, 'undeclared')]} undeclared, of {entries[(w, 'subject')]}")
        for kind in ("nested", "undeclared"):
            for hit, entry in examples[(w, kind)]:
                print(f"    {kind} '{hit}': " + json.dumps(
                    {k: entry.get(k) for k in ("user", "message", "detail", "statement", "context")
                     if entry.get(k)})[:500])
    print("kinds " + " ".join(f"{k}={sum(counts[(w, k)] for w in WRITERS)}"
                              for k in ("own", "nested", "undeclared")))
    print(f"subject-hits {sum(counts[(w, k)] for w in WRITERS for k in ('own', 'nested', 'undeclared'))}")
    print(f"undeclared {undeclared}")
    return 1 if undeclared else 0


if __name__ == "__main__":
    sys.exit(main())
