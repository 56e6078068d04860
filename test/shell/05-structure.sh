#!/usr/bin/env bash
# test/shell/05-structure.sh -- the layout that the "Layout" section of
# docs/internals.md promises, checked on the object files of the build and on the sources
# (test/lib/structure.py): files use only their own layer and those below it,
# no cycle between files, no variable shared between files, every exported
# symbol named flp_..., no C file or function far above a screen's size.
# Needs the build's object files in src/ (test/run-tests.sh builds first).
# Exit 0 = pass, 1 = fail.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DOC="$ROOT/docs/internals.md"

# The promises are documented where this test says they are: the Layout
# section of docs/internals.md, with its drawing of the layers.
if ! grep -q '^## Layout$' "$DOC" || ! grep -q '^messages.c ' "$DOC"; then
	echo "FAIL 05-structure: docs/internals.md has no Layout section with the layers' drawing" >&2
	exit 1
fi

if python3 "$ROOT/test/lib/structure.py" "$ROOT"; then
	echo "ok 05-structure"
else
	echo "FAIL 05-structure: the layout differs from the one docs/internals.md describes (above)" >&2
	exit 1
fi
