#!/usr/bin/env bash
#===- scripts/demo.sh - The main job: run a small long-sequence model ------===#
#
# Sets up and builds seqc, then runs docs/examples/s4d_lm_block.mlir -- an S4D
# long-convolution layer and an LM-Infinite attention layer written in the seq
# dialect -- through seqc-opt's reference lowering to LLVM and mlir-runner, and
# prints the outputs. (Later: an ONNX model compiled ahead of time by `seqc`.)
#===------------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >/dev/null

model="$root/docs/examples/s4d_lm_block.mlir"
lib=/usr/lib/llvm-22/lib
echo "== seq ops in $model:"
grep -o 'seq\.[a-z_]* ' "$model" | sort | uniq -c
echo "== lowering (seqc-opt --seqc-reference-to-llvm) and running (mlir-runner):"
"$build/bin/seqc-opt" "$model" --seqc-reference-to-llvm |
  /usr/lib/llvm-22/bin/mlir-runner -e main -entry-point-result=void \
    -shared-libs="$lib/libmlir_runner_utils.so,$lib/libmlir_c_runner_utils.so"
