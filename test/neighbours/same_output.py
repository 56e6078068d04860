#!/usr/bin/env python3
"""test/neighbours/same_output.py -- is a pg_regress result the expected
output, but for what the neighbours add to it?

  same_output.py EXPECTED RESULT

Next to pg_stat_statements, EXPLAIN VERBOSE shows a " Query Identifier: N"
line (compute_query_id is on), one more row; with log_statement = 'all' a
session that sets client_min_messages = log gets a "LOG:  statement: ..."
line per statement.  Both are removed from RESULT (the row count after a
removed query identifier lowered by one) before it is compared with EXPECTED.
Exit 0 when they are the same; 1, with a unified diff, when not.
"""
import difflib
import re
import sys


def without_neighbours(lines):
    out, drop_row = [], False
    for line in lines:
        if re.match(r"^ Query Identifier: -?\d+$", line):
            drop_row = True
            continue
        if line.startswith("LOG:  statement: "):
            continue
        m = re.match(r"^\((\d+) rows?\)$", line)
        if drop_row and m:
            n = int(m.group(1)) - 1
            line = f"({n} row{'' if n == 1 else 's'})"
            drop_row = False
        out.append(line)
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    expected = open(sys.argv[1], encoding="utf-8").read().split("\n")
    result = without_neighbours(open(sys.argv[2], encoding="utf-8").read().split("\n"))
    if expected == result:
        return 0
    sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
        expected, result, sys.argv[1], sys.argv[2] + " (neighbours' lines removed)", lineterm=""))
    return 1


if __name__ == "__main__":
    sys.exit(main())
