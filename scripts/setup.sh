#!/usr/bin/env bash
#===- scripts/setup.sh - Install what seqc needs, configure, build ---------===#
#
# Installs the Debian packages the project needs (only those missing),
# configures with CMake + Ninja against LLVM/MLIR 22 and builds with -j2.
# Idempotent: a second run only rebuilds what changed.
#
# Environment: BUILD_DIR (default: build), SEQC_JOBS (default: 2).
#===------------------------------------------------------------------------===#
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
jobs="${SEQC_JOBS:-2}"

packages=(
  cmake ninja-build ccache g++
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools libomp-22-dev
  python3-numpy          # numpy for /usr/bin/python3: the float64 references
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx libonnx-testdata
  clang-22 libclang-rt-22-dev   # the importer's libFuzzer target
  clang-format-22               # the formatting check (test/lint/clang-format.test)
  python3-torch                 # exporting the end-to-end test models
  pybind11-dev python3-dev      # the Python extension (python/), for /usr/bin/python3
  python3-pytest                # the Python package's tests (test/python)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "seqc setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit "${launcher[@]}"
fi
ninja -C "$build" -j "$jobs" all mlir-doc
