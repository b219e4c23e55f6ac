#!/usr/bin/env bash
#===- scripts/env.sh - Make the built seqc usable from this shell ----------===#
#
#   source scripts/env.sh        # after scripts/setup.sh
#
# Puts the seqc Python package built in $BUILD_DIR/python_packages (default
# build/) on PYTHONPATH and the tools in $BUILD_DIR/bin on PATH. Use the
# Debian interpreter, which has numpy, onnx and torch: /usr/bin/python3.
#===------------------------------------------------------------------------===#
_seqc_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_seqc_build="${BUILD_DIR:-$_seqc_root/build}"
export PYTHONPATH="$_seqc_build/python_packages${PYTHONPATH:+:$PYTHONPATH}"
export PATH="$_seqc_build/bin:$PATH"
unset _seqc_root _seqc_build
