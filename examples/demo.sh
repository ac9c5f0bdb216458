#!/usr/bin/env bash
# `make demo`: compile the bundled example and run it (GPU when there is one,
# else the CPU reference), printing outputs and timings.
set -euo pipefail
build=${1:-build}
dsc="$build/tools/dsc/dsc"
model=${DSC_EXAMPLE:-examples/transformer_block.onnx}
plan="$build/example.plan"

echo "== dsc compile $model"
"$dsc" compile "$model" -o "$plan"
echo
echo "== dsc inspect (summary)"
"$dsc" inspect "$plan" | grep -E '^(plan|inputs|outputs|arena|weights|kernels|schedule)|^  [^ ]+: '
echo
echo "== dsc run"
if "$dsc" run "$plan" --device gpu --seed 1 2>/tmp/dsc-demo-gpu.err; then
  :
else
  echo "(no GPU run: $(head -1 /tmp/dsc-demo-gpu.err); running the CPU reference instead)"
  "$dsc" run "$plan" --device cpu --seed 1
fi

echo
echo "== one plan for every batch size: dsc compile --dim batch=1..8"
batch_model="$build/example_batch.onnx"
batch_plan="$build/example_batch.plan"
python=python3
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import numpy, onnx' 2>/dev/null; then
    python=$candidate
    break
  fi
done
"$python" examples/make_example.py --batch-dim batch "$batch_model" >/dev/null
"$dsc" compile "$batch_model" --dim batch=1..8 -o "$batch_plan" --quiet
"$dsc" inspect "$batch_plan" | grep -E '^symbolic|^  x: |^  y: '
for samples in 1 8; do
  if ! "$dsc" run "$batch_plan" --device gpu --samples "$samples" --seed 1 2>/dev/null; then
    "$dsc" run "$batch_plan" --device cpu --samples "$samples" --seed 1
  fi
done
