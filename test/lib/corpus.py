"""test/lib/corpus.py -- reading sqlsmith corpora and deny lists, shared by
test/fuzz/driver.py and test/differential/diff.py."""

import re


def split_corpus(path):
    """The statements of a corpus file (sqlsmith writes one per `;` line end)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return [q.strip() for q in re.split(r";[ \t]*\n", text) if q.strip()]


def load_deny(path):
    """One case-insensitive regex of a deny list's patterns (one per line,
    `#` comments), or None without a path or patterns."""
    pats = []
    if not path:
        return None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                pats.append("(?:%s)" % line)
    return re.compile("|".join(pats), re.I) if pats else None
