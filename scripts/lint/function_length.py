#!/usr/bin/env python3
"""Lists C/C++ functions longer than a limit (default 150 lines).

The project's rule (README, "Layout and the rules it follows"): no function
over 150 lines in passes/, lib/, dialects/. A function is a brace block whose
head ends like a signature -- `name(...)` with optional const/override/
noexcept/trailing return/constructor initializers -- outside any other
function; lambdas and local classes count towards the function that holds
them. Comments, strings and raw strings are blanked first. It is a lexical
check, not a parser: good enough for this code base's style (clang-format,
LLVM style), and it errs towards counting a block as a function.

Usage: function_length.py [--max N] [--report M] DIR_OR_FILE...
Prints `LINES PATH:LINE NAME` for every function over --report (default:
--max) lines, longest first; exits 1 if any is over --max.
"""

import argparse
import os
import re
import sys

CONTROL = {"if", "for", "while", "switch", "catch", "return", "sizeof",
           "decltype", "alignof", "static_assert"}


def blank(text):
    """`text` with comments and string/char/raw-string literals replaced by
    spaces (newlines kept, so line numbers stay)."""
    out, i, n = [], 0, len(text)
    spaces = lambda s: re.sub(r"[^\n]", " ", s)
    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith('R"', i) and re.match(r'R"[^ ()\\]{0,16}\(', text[i:]):
            delim = re.match(r'R"([^(]*)\(', text[i:]).group(1)
            j = text.find(")" + delim + '"', i)
            j = n if j < 0 else j + len(delim) + 2
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j += 1
        else:
            out.append(text[i])
            i += 1
            continue
        out.append(spaces(text[i:j]))
        i = j
    return "".join(out)


def signature_name(head):
    """The function name if `head` (text before a `{`) ends like a
    function signature, else None."""
    t = head.strip()
    t = re.sub(r"(\s*\b(const|override|final|noexcept|mutable)\b)*\s*$", "", t)
    t = re.sub(r"->\s*[\w:<>,\s*&]+$", "", t)
    if not (t.endswith(")") or re.search(r"\)\s*:\s*[^;{}]*\)$", t)):
        return None
    m = re.search(r"([~\w:]+(?:<[^()]*>)?)\s*\(", t)
    if not m or m.group(1).split("::")[-1] in CONTROL:
        return None
    if re.search(r"\b(struct|class|enum|namespace|union)\b[^()]*$", t.split("(")[0]):
        return None
    return m.group(1)


def functions(path):
    """(length, first line, name) of every function in `path`."""
    with open(path, errors="replace") as f:
        text = blank(f.read())
    found, stack, last = [], [], 0
    for m in re.finditer(r"[{};]", text):
        pos, c = m.start(), m.group()
        if c == "{":
            inside = any(kind == "func" for kind, _, _ in stack)
            name = None if inside else signature_name(text[last:pos])
            line = text.count("\n", 0, pos) + 1
            stack.append(("func" if name else "block", line, name))
        elif c == "}" and stack:
            kind, line, name = stack.pop()
            if kind == "func":
                found.append((text.count("\n", 0, pos) + 2 - line, line, name))
        last = pos + 1
    return found


def sources(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
            continue
        for root, _, files in os.walk(p):
            for f in sorted(files):
                if f.endswith((".cpp", ".c", ".h")):
                    yield os.path.join(root, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--max", type=int, default=150)
    ap.add_argument("--report", type=int, default=None)
    args = ap.parse_args()
    report = args.max if args.report is None else args.report
    rows = [(n, path, line, name) for path in sources(args.paths)
            for n, line, name in functions(path)]
    rows.sort(key=lambda r: -r[0])
    for n, path, line, name in rows:
        if n > report:
            print("%d %s:%d %s" % (n, path, line, name))
    over = sum(1 for r in rows if r[0] > args.max)
    print("%d functions, %d over %d lines" % (len(rows), over, args.max))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
