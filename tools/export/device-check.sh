#!/usr/bin/env bash
# Every exporter's round trip on this machine's PyTorch, in one call, on a machine that has Python 3
# with torch and onnx but no Node and no node_modules (a lent accelerator machine): synth.py writes
# small seeded checkpoints in each upstream layout, export.py exports each with check data, and the
# carried node runs the bundled check (device-kit.ts) on every ONNX file. Prints one table
# (exporter, file, torch version, max relative error, pass/fail), also written to
# $OUT/export-check.txt when OUT is set; exits non-zero if any row fails.
#   bash tools/export/device-check.sh [kit-dir]   (from the repository root; kit default .devkit/export)
# Env: PYTHON (default python3), OUT, WORK (scratch folder, default a new temp folder).
set -u
kit=${1:-.devkit/export}
py=${PYTHON:-python3}
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ort="$kit/node_modules/onnxruntime-node"
for f in "$kit/check.mjs" "$kit/node.xz" "$ort/package.json"; do
  if [ ! -f "$f" ]; then
    echo "$f is missing: build the kit with 'npx tsx tools/export/device-kit.ts $kit' and carry it" >&2
    exit 2
  fi
done
. "$tools/../device/unpack.sh"

torch=$("$py" -c 'import torch; print(torch.__version__)') || { echo "$py cannot import torch" >&2; exit 2; }
echo "torch $torch ($py -c 'import torch; print(torch.__version__)')"
"$py" -c 'import onnx; print("onnx", onnx.__version__)' || { echo "$py cannot import onnx" >&2; exit 2; }

work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/rcp-device-check-XXXXXX")}
mkdir -p "$work"
node="$work/node"
unpack_node "$kit/node.xz" "$node" || { echo "cannot unpack $kit/node.xz" >&2; exit 2; }
unpack_ort "$ort" || { echo "cannot unpack onnxruntime-node's library" >&2; exit 2; }
echo "node $("$node" --version)"

folders=()
# step <exporter> <synth args…> -- <export args…>: synth.py then export.py, check data in $work/<exporter>/check;
# a failure of either is kept in export-error.txt there and becomes a failing row.
step() {
  local name=$1 check="$work/$1/check"
  shift
  local synth=() export=()
  while [ "$1" != -- ]; do synth+=("$1"); shift; done
  shift
  export=("$@")
  mkdir -p "$check"
  echo "## $name"
  if [ ${#synth[@]} -gt 0 ] && ! "$py" "$tools/synth.py" "${synth[@]}" 2> "$work/$name/synth.err"; then
    { echo "synth.py ${synth[*]}:"; cat "$work/$name/synth.err"; } > "$check/export-error.txt"
  elif ! "$py" "$tools/export.py" "${export[@]}" --check-dir "$check" 2> "$work/$name/export.err"; then
    cat "$work/$name/export.err" > "$check/export-error.txt"
  fi
  [ -f "$check/export-error.txt" ] && cat "$check/export-error.txt" >&2
  folders+=("$name=$check")
}

w=$work
"$py" "$tools/synth.py" bpe "$w/bpe.txt.gz" --merges 20 || echo "synth.py bpe failed: the CLIP rows will fail" >&2
clip=(--bpe "$w/bpe.txt.gz" --width 0.1 --layers 2 --resolution 64 --patch 16)
step stylegan2 stylegan2 "$w/sg2.pt" --size 32 --width 0.125 --seed 1 -- stylegan2 "$w/sg2.pt" "$w/stylegan2/out"
step e4e e4e "$w/e4e.pt" --size 64 --width 0.125 --encoder-width 0.25 --seed 2 -- e4e "$w/e4e.pt" "$w/e4e/out"
step arcface arcface "$w/ir_se50.pth" --width 0.125 --seed 3 -- arcface "$w/ir_se50.pth" "$w/arcface/out"
step clip-openai clip "$w/ViT-tiny.pt" "${clip[@]}" --seed 4 -- clip "$w/ViT-tiny.pt" "$w/clip-openai/out" --bpe "$w/bpe.txt.gz"
step clip-hf clip "$w/unused.pt" "${clip[@]}" --seed 5 --hf "$w/hf" --safetensors -- clip "$w/hf" "$w/clip-hf/out"
# NVIDIA's interface over a synth.py StyleGAN2 (test/export/nvidia-checkout), where the working tree has it.
nvidia_repo="$tools/../../test/export/nvidia-checkout"
if [ -f "$nvidia_repo/legacy.py" ]; then
  step nvidia stylegan2 "$w/network.pt" --size 32 --width 0.125 --seed 6 -- nvidia "$w/network.pt" "$w/nvidia/out" --repo "$nvidia_repo"
else
  echo "no $nvidia_repo: no nvidia rows"
fi

table=()
[ -n "${OUT:-}" ] && table=(--table "$OUT/export-check.txt")
echo "## onnxruntime-node vs PyTorch"
"$node" "$kit/check.mjs" --torch "$torch" "${table[@]}" "${folders[@]}"
