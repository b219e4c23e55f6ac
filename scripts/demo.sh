#!/usr/bin/env bash
#===- scripts/demo.sh - The main job: compile and run long-sequence models -===#
#
# Sets up and builds seqc, then
#  1. exports a causal convolution block (depthwise Conv1d with causal
#     padding, pointwise Conv1d, GELU) from PyTorch to ONNX with a dynamic
#     sequence length, compiles it ahead of time to a shared library with
#     `seqc`, runs it with `seqc-run` at L = 4096 and checks it against torch;
#  2. compiles a long convolution (a depthwise ONNX Conv with 256 channels
#     and a kernel as long as the sequence, L = K = 4096): seqc raises it to
#     seq.long_conv, chooses the FFT algorithm (--print-impl), and the
#     library is checked against numpy in float64 and timed (1 thread),
#     then timed side by side with onnxruntime (the same ONNX file), the
#     PyTorch rfft convolution and numpy by the benchmark harness, which
#     installs those peers when missing (SEQC_DEMO_PEERS=0 skips this);
#  3. runs docs/examples/s4d_lm_block.mlir -- an S4D layer (SSM kernel + long
#     convolution) and LM-Infinite attention written in the seq dialect --
#     through the reference lowering and mlir-runner.
#===------------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh" >/dev/null
export PATH="$build/bin:$PATH"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== 1. ONNX -> shared library (seqc), run and check (seqc-run)"
/usr/bin/python3 "$root/test/e2e/torch/torch_models.py" export convblock 17 \
  "$work/convblock.onnx" 2>/dev/null
seqc "$work/convblock.onnx" -o "$work/libconvblock.so"
echo "compiled: $(ls "$work"/libconvblock.so "$work"/libconvblock.h | xargs -n1 basename | tr '\n' ' ')"
sed -n '/Inputs:/,/\*\//p' "$work/libconvblock.h"
/usr/bin/python3 "$root/test/e2e/torch/torch_models.py" check convblock \
  "$work/out" 4096 "$work/libconvblock.so"
seqc-run "$work/libconvblock.so" --random --dim L=4096 --bench 5

echo
echo "== 2. A long convolution: ONNX depthwise Conv, C = 256, L = K = 4096"
/usr/bin/python3 "$root/test/e2e/longconv/long_conv_models.py" check "$work/lc" \
  --c 256 --l 4096 --k 4096
SEQC_NUM_THREADS=1 seqc-run "$work/lc/libmodel.so" --random --bench 5
if [ "${SEQC_DEMO_PEERS:-1}" != 0 ]; then
  echo "-- against onnxruntime, PyTorch and numpy (peer time / seqc time):"
  "$root/bench/run" --only longconv_c256_kL --lengths 4096 --threads 1 \
    --out "$work/bench" | grep -E "impl|1T:"
fi

echo
echo "== 3. seq dialect model through the reference lowering"
model="$root/docs/examples/s4d_lm_block.mlir"
lib=/usr/lib/llvm-22/lib
grep -o 'seq\.[a-z_]* ' "$model" | sort | uniq -c
seqc-opt "$model" --seqc-reference-to-llvm |
  /usr/lib/llvm-22/bin/mlir-runner -e main -entry-point-result=void \
    -shared-libs="$lib/libmlir_runner_utils.so,$lib/libmlir_c_runner_utils.so"
