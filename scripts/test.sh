#!/usr/bin/env bash
#===- scripts/test.sh - Set up, build and run the whole test suite ---------===#
#
# Runs scripts/setup.sh, then the lit suite (check-seqc): dialect round trips
# and verifier cases, pass tests, the mask-semantics test and the numerical
# end-to-end checks against numpy. Ends with the line `N passed, M failed`.
#===------------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
/usr/lib/llvm-22/bin/lit -sv "$build/test" 2>&1 | tee "$log" || status=$?
passed=$(awk '/^ *Passed *:/ {print $2}' "$log")
failed=$(awk '/^ *(Failed|Unresolved|Timed Out|Unexpectedly Passed) *:/ {n += $NF ~ /%/ ? $(NF-1) : $NF} END {print n + 0}' "$log")
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
