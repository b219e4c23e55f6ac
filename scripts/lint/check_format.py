#!/usr/bin/env python3
"""Checks that the C/C++ sources are formatted by clang-format-22.

The project formats with clang-format-22 (the LLVM the project targets,
Debian package clang-format-22, installed by scripts/setup.sh) and the
repository's .clang-format (LLVM style). Every tracked .cpp/.h/.c under
the folders given is checked with `clang-format --dry-run -Werror`; the
files that would change are listed, with the command that fixes them.

Usage: check_format.py [--clang-format PATH] ROOT [SUBDIR...]
Exit status 1 if a file is not formatted (or clang-format is missing).
"""

import argparse
import os
import subprocess
import sys

DEFAULT_DIRS = ["dialects", "include", "lib", "passes", "python/src",
                "test/fuzz", "test/lib", "tools"]


def tracked_sources(root, dirs):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--"] + dirs,
                             check=True, capture_output=True, text=True).stdout
        files = out.split()
    except (OSError, subprocess.CalledProcessError):
        files = [os.path.relpath(os.path.join(d, f), root)
                 for top in dirs
                 for d, _, fs in os.walk(os.path.join(root, top)) for f in fs]
    return sorted(f for f in files if f.endswith((".cpp", ".h", ".c")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root")
    ap.add_argument("dirs", nargs="*", default=DEFAULT_DIRS)
    ap.add_argument("--clang-format", default="clang-format-22")
    args = ap.parse_args()
    files = tracked_sources(args.root, args.dirs)
    bad = []
    for f in files:
        try:
            r = subprocess.run([args.clang_format, "--dry-run", "-Werror",
                                "--style=file", f], cwd=args.root,
                               capture_output=True, text=True)
        except OSError:
            print("error: %s not found (scripts/setup.sh installs the Debian "
                  "package clang-format-22)" % args.clang_format)
            return 1
        if r.returncode != 0:
            bad.append(f)
    for f in bad:
        print("not formatted: %s" % f)
    if bad:
        print("fix with: clang-format-22 -i %s" % " ".join(bad))
    print("%d files checked, %d not formatted" % (len(files), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
