#!/usr/bin/env python3
"""test/lib/structure.py -- the layout the README's Layout section promises,
checked on the object files the build left in src/ (with nm) and on the
sources.  Prints one line per check; exits 1 when any fails.

  layers   each file uses (calls or reads) only files of its own layer or of
           the layers below it (LAYERS, as drawn in the README)
  cycles   no two files use each other, directly or through others
  globals  no file reads or writes a variable defined in another file
  names    every symbol the library exports starts with flp_ (or is one of
           PostgreSQL's module entry points), so none can clash with the
           server's own
  sizes    no C file above about 700 lines, no function above about 60
"""
import collections
import glob
import os
import re
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
# Lowest first; a file's layer is the first pattern that matches its path.
LAYERS = [
    ("messages", [r"^messages$"]),
    ("catalog", [r"^catalog/", r"^catalog_columns$"]),
    ("evaluator", [r"^evaluate/"]),
    ("rules and trust", [r"^refused_functions$", r"^rules$", r"^trust$"]),
    ("explain and sequences", [r"^explain$", r"^sequences$"]),
    ("planner passes", [r"^planner/"]),
    ("utility statements", [r"^utility/"]),
    ("entry points", [r"^hooks$", r"^hook_order$", r"^functions$", r"^flp$"]),
]
MAX_FILE_LINES = 750        # "about 700"
MAX_FUNCTION_LINES = 70     # "about 60", a screen


def layer_of(name):
    for i, (_, patterns) in enumerate(LAYERS):
        if any(re.search(p, name) for p in patterns):
            return i
    return None


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, data, undefined = set(), set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDBRC":
            defined.add(parts[2])
            if parts[1] in "DBC":
                data.add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
    return defined, data, undefined


def main():
    src = os.path.join(ROOT, "src")
    # the objects of the Makefile's OBJS (not stale ones of files since removed)
    makefile = open(os.path.join(ROOT, "Makefile")).read()
    block = re.search(r"^OBJS = \\\n((?:\t.*\n)+)", makefile, re.M)
    listed = re.findall(r"(src/\S+\.o)", block.group(1)) if block else []
    objs = sorted(os.path.join(ROOT, o) for o in listed)
    missing = [o for o in objs if not os.path.exists(o)]
    if not objs or missing:
        print("structure: object files missing (build first): " + " ".join(missing or ["OBJS"]))
        return 1
    name = {o: os.path.relpath(o, src)[:-2] for o in objs}
    defs, data_of, uses = {}, {}, {}
    exported = set()
    for o in objs:
        d, data, u = symbols(o)
        for s in d:
            defs[s] = o
        data_of[o] = data
        uses[o] = u
        exported |= d
    graph = collections.defaultdict(set)
    shared_data = []
    for o, u in uses.items():
        for s in u:
            if s in defs and defs[s] != o:
                graph[o].add(defs[s])
                if s in data_of[defs[s]]:
                    shared_data.append(f"{name[o]} uses {s} of {name[defs[s]]}")
    failures = 0

    unknown = [name[o] for o in objs if layer_of(name[o]) is None]
    upward = [f"{name[a]} ({LAYERS[layer_of(name[a])][0]}) uses {name[b]} ({LAYERS[layer_of(name[b])][0]})"
              for a in objs for b in sorted(graph[a])
              if layer_of(name[a]) is not None and layer_of(name[b]) is not None
              and layer_of(name[b]) > layer_of(name[a])]
    failures += report("layers", unknown + upward,
                       f"{len(objs)} files in {len(LAYERS)} layers, none uses a layer above its own")

    cycles = strongly_connected(objs, graph)
    failures += report("cycles", [" <-> ".join(name[x] for x in c) for c in cycles],
                       f"{sum(len(v) for v in graph.values())} uses between files, no cycle")

    failures += report("globals", shared_data, "no variable is shared between files")

    entry = re.compile(r"^(flp_|Flp|_PG_init$|Pg_magic_func$|pg_finfo_flp_)")
    bad = sorted(s for s in exported if not entry.search(s))
    failures += report("names", bad, f"{len(exported)} exported symbols, all flp_ or module entry points")

    failures += report("sizes", sizes(src), f"no C file above {MAX_FILE_LINES} lines, "
                       f"no function above {MAX_FUNCTION_LINES}")
    return 1 if failures else 0


def report(check, problems, ok_line):
    if problems:
        print(f"FAIL structure {check}:")
        for p in problems:
            print(f"  {p}")
        return 1
    print(f"ok structure {check}: {ok_line}")
    return 0


def strongly_connected(nodes, graph):
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                result.append(comp)

    for v in nodes:
        if v not in index:
            visit(v)
    return result


def sizes(src):
    problems = []
    for path in sorted(glob.glob(os.path.join(src, "*.c")) + glob.glob(os.path.join(src, "*", "*.c"))):
        lines = open(path).read().split("\n")
        rel = os.path.relpath(path, src)
        if len(lines) > MAX_FILE_LINES:
            problems.append(f"{rel}: {len(lines)} lines")
        start = None
        for i, line in enumerate(lines):
            if line == "{" and i > 0 and lines[i - 1].rstrip().endswith(")"):
                start = i           # a function's body (not a struct's)
            elif line.startswith("}") and line != "}":
                start = None        # the end of a struct or an initializer
            elif line == "}" and start is not None:
                if i - start + 1 > MAX_FUNCTION_LINES:
                    j = start - 1
                    while j > 0 and not re.match(r"^[A-Za-z_]\w*\(", lines[j]):
                        j -= 1
                    problems.append(f"{rel}:{j + 1}: {lines[j].split('(')[0]}: {i - start + 1} lines")
                start = None
    return problems


if __name__ == "__main__":
    sys.exit(main())
