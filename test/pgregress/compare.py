#!/usr/bin/env python3
"""Compare two runs of PostgreSQL's regression suite, line by line.

    compare.py BASELINE_RESULTS FLP_RESULTS ALLOWED VERSION

BASELINE_RESULTS and FLP_RESULTS are the results/ directories pg_regress
wrote (one TEST.out per test) for the run without flp and the run with it.
Every line in which a test's output differs between the two runs (a - or +
line of a unified diff) must be explained by an entry of ALLOWED for that
test and VERSION, and every pattern of such an entry must explain a line (no
stale pattern).

ALLOWED holds entries; blank lines and lines starting with # are skipped.
An entry is a line

    TESTS VERSIONS -- REASON

(TESTS: a test's name or several, separated by commas; VERSIONS: * or a comma-separated list of major versions, e.g. 17,18,19)
followed by indented pattern lines

    line REGEX      explains each differing line REGEX matches
    hunk REGEX      explains every differing line of each hunk (a run of
                    changed lines with 2 lines of context) in which REGEX
                    matches a differing line: for what follows from one
                    cause, such as a plan an error replaced

REGEX is a Python regular expression searched in the differing line, its
leading - or + included.

Prints a report (each unexplained difference as a unified diff) and, last,
one line "summary: ..." with the names; exit status 0 when every difference
is explained and no pattern is stale, 1 otherwise.
"""
import difflib
import os
import re
import sys


def read_allowed(path, version):
    entries, entry = [], None
    with open(path, encoding="utf-8") as f:
        for num, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path}:{num}"
            if not line[0].isspace():
                head, sep, reason = line.partition(" -- ")
                parts = head.split()
                if not sep or len(parts) != 2 or not reason.strip():
                    sys.exit(f"{where}: expected 'TEST VERSIONS -- REASON'")
                applies = parts[1] == "*" or version in parts[1].split(",")
                entry = {"tests": parts[0].split(","), "reason": reason.strip(), "patterns": []}
                if applies:
                    entries.append(entry)
                continue
            kind, _, regex = line.strip().partition(" ")
            if entry is None or kind not in ("line", "hunk") or not regex.strip():
                sys.exit(f"{where}: expected an indented 'line REGEX' or 'hunk REGEX' after an entry")
            try:
                pattern = re.compile(regex.strip())
            except re.error as e:
                sys.exit(f"{where}: bad regular expression: {e}")
            entry["patterns"].append({"where": where, "kind": kind, "regex": regex.strip(),
                                      "pattern": pattern, "used": 0, "entry": entry})
    for e in entries:
        if not e["patterns"]:
            sys.exit(f"{path}: the entry of {','.join(e['tests'])} has no pattern")
    return entries


def outputs(directory):
    return {name[:-4] for name in os.listdir(directory) if name.endswith(".out")}


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    base_dir, flp_dir, allowed_path, version = sys.argv[1:]
    entries = read_allowed(allowed_path, version)
    base_tests, flp_tests = outputs(base_dir), outputs(flp_dir)
    real, by_design = [], []
    for test in sorted(base_tests ^ flp_tests):
        where = "the run without flp" if test in base_tests else "the run with flp"
        print(f"REAL {test}: has an output only in {where}")
        real.append(test)
    for test in sorted(base_tests & flp_tests):
        base = read_lines(os.path.join(base_dir, test + ".out"))
        flp = read_lines(os.path.join(flp_dir, test + ".out"))
        if base == flp:
            continue
        diff = list(difflib.unified_diff(base, flp, f"{test} without flp",
                                         f"{test} with flp", n=2, lineterm=""))
        patterns = [p for e in entries if test in e["tests"] for p in e["patterns"]]
        hunks, hunk = [], None
        for d in diff[2:]:
            if d.startswith("@@"):
                hunk = []
                hunks.append(hunk)
            elif d[:1] in "-+":
                hunk.append(d)
        changed = sum(len(h) for h in hunks)
        unexplained, reasons = [], set()
        for hunk in hunks:
            explained = set()
            for p in patterns:
                hits = [i for i, d in enumerate(hunk) if p["pattern"].search(d)]
                if not hits:
                    continue
                p["used"] += len(hits)
                reasons.add(p["entry"]["reason"])
                explained.update(range(len(hunk)) if p["kind"] == "hunk" else hits)
            unexplained += [d for i, d in enumerate(hunk) if i not in explained]
        if unexplained:
            real.append(test)
            print(f"REAL {test}: {len(unexplained)} of {changed} differing lines "
                  "are not explained by the allow-list:")
            print("\n".join(diff))
        else:
            by_design.append(test)
            print(f"by design {test}: {changed} differing lines ({'; '.join(sorted(reasons))})")
    stale = [p for e in entries for p in e["patterns"] if not p["used"]]
    for p in stale:
        print(f"STALE allow-list pattern ({p['where']}, {p['kind']} "
              f"{p['regex']}): no differing line matches it; remove it or restrict its versions")
    print(f"summary: {len(base_tests | flp_tests)} tests;"
          f" by design: {','.join(by_design) or '-'};"
          f" real: {','.join(real) or '-'};"
          f" stale patterns: {','.join(p['where'].rsplit(':', 1)[1] for p in stale) or '-'}")
    return 1 if real or stale else 0


if __name__ == "__main__":
    sys.exit(main())
