"""Memory stays flat across calls: runs a compiled model 3 and 40 times in
one seqc-run process and compares the peak resident set sizes
(/usr/bin/time -v). A buffer leaked per call grows the second by 37 x its
size; the bound allows 16 MB of noise.

  no_leak.py LIB [seqc-run args...]
"""
import os
import re
import subprocess
import sys


def peak_kb(lib, runs, extra):
    r = subprocess.run(["/usr/bin/time", "-v", "seqc-run", lib, "--random",
                        "--bench", str(runs)] + extra,
                       capture_output=True, text=True,
                       env=dict(os.environ, SEQC_NUM_THREADS="1"))
    if r.returncode:
        sys.exit(r.stderr)
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))


def main():
    lib, extra = sys.argv[1], sys.argv[2:]
    few, many = peak_kb(lib, 3, extra), peak_kb(lib, 40, extra)
    growth = (many - few) / 1024.0
    ok = growth <= 16.0
    print("peak RSS 3 runs %.0f MB, 40 runs %.0f MB, growth %.1f MB %s" % (
        few / 1024.0, many / 1024.0, growth, "ok" if ok else "LEAK"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
