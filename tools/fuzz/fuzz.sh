#!/usr/bin/env bash
# Builds the importer fuzzer (a separate clang build with libFuzzer and ASan)
# and runs it for a bounded time. Exit status: 0 when nothing crashed, else 1
# with the crashing input left in the work folder and the command to
# reproduce and minimize it printed.
#
# usage: tools/fuzz/fuzz.sh [--build-dir DIR] [--seconds N] [--build-only]
#                           [--jobs N] [-- extra libFuzzer flags]
# Defaults: --build-dir build/fuzz, --seconds 60. The libFuzzer seed is
# $FUZZ_SEED, 1 by default, so that a CI run explores the same mutations each
# time (a failure reproduces); FUZZ_SEED=0 draws a random one for longer hunts.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir="$source_dir/build/fuzz"
seconds=60
build_only=0
jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$(realpath -m "$2"); shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

# clang 19, LLVM's own version, with its libFuzzer and ASan runtimes
# (clang-19, libclang-rt-19-dev: scripts/setup-deps). Debian's default clang
# 14 rejects code GCC accepts (lambdas capturing structured bindings).
cc=${DSC_FUZZ_CC:-clang-19}
cxx=${DSC_FUZZ_CXX:-clang++-19}

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DDSC_FUZZ=ON \
    -DMLIR_DIR=/usr/lib/llvm-19/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-19/build/utils/lit/lit.py >/dev/null
fi
cmake --build "$build_dir" --target dsc-import-fuzzer -j "$jobs"
[ "$build_only" = 1 ] && exit 0

# Seed corpus: the small models of ONNX's node tests (one op each, every op
# and most attribute forms) and a few whole models of the other suites.
work="$build_dir/fuzz-run"
rm -rf "$work"
mkdir -p "$work/seeds" "$work/corpus" "$work/artifacts"
data=/usr/share/libonnx-testdata/data
# One cp for all (libFuzzer reads corpus folders recursively): a process per
# file costs a minute on a loaded 2-core machine.
(cd "$data" && find node simple pytorch-operator -name model.onnx -size -4097c \
   -exec cp --parents -t "$work/seeds" {} +)

# Inputs that once crashed the importer (found by this fuzzer): replayed first.
cp "$source_dir"/tools/fuzz/regressions/* "$work/seeds/"

echo "fuzz.sh: $(find "$work/seeds" -type f | wc -l) seeds, ${seconds}s"
status=0
"$build_dir/tools/fuzz/dsc-import-fuzzer" "$work/corpus" "$work/seeds" \
  -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -timeout=20 -rss_limit_mb=4096 -max_len=8192 \
  -print_final_stats=1 -dict="$source_dir/tools/fuzz/onnx.dict" \
  -artifact_prefix="$work/artifacts/" "$@" \
  2>"$work/log.txt" || status=$?
grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|stat::)' "$work/log.txt" || true
if [ "$status" != 0 ]; then
  # The first report, not thousands of lines of MLIR.
  grep -m1 -A40 -E '^==[0-9]+==ERROR|^==[0-9]+== ERROR|deadly signal|Assertion' \
    "$work/log.txt" || tail -40 "$work/log.txt"
  for crash in "$work"/artifacts/*; do
    echo "fuzz.sh: crashing input: $crash"
    echo "  reproduce: $build_dir/tools/fuzz/dsc-import-fuzzer $crash"
    echo "  minimize:  $build_dir/tools/fuzz/dsc-import-fuzzer -minimize_crash=1" \
         "-runs=10000 -exact_artifact_path=$crash.min $crash"
  done
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds}s"
