#!/usr/bin/env bash
# One call on a GPU machine with Python (torch, onnx) but no Node and no browser: unpacks the
# carried node and onnxruntime-node, refills the emptied real-shape models with random weights,
# times the edit objective, generator and CLIP tower on onnxruntime-node's WebGPU and CPU EPs
# (checking WebGPU against the CPU), then times the same architectures' StyleCLIP step in PyTorch.
# Carried in .devbench/: node.xz and ort/ (tools/device/carry.ts) and realshape/
# (realshape-export.ts's output); .gl/ holds the Vulkan loader packages (see device.sh).
# Env: RUNS (timed runs per model, default 5), STEPS (PyTorch steps, default 10), EPS (webgpu,cpu).
set -u
here=.devbench
if ls .gl/*.deb > /dev/null 2>&1; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
. tools/device/unpack.sh
node=${NODE:-/tmp/node}
unpack_node "$here/node.xz" "$node"
unpack_ort "$here/ort"
out=${OUT:-/tmp}
nvidia-smi -L 2> /dev/null || echo 'no nvidia-smi'
python3 bench/gpu/refill.py "$here/realshape"
echo '## onnxruntime-node'
RUNS=${RUNS:-5} ONLY=models EPS=${EPS:-webgpu,cpu} "$node" bench/gpu/bench.mjs "$here/realshape" "$here/ort" 2>&1 | tee "$out/realshape-ort.txt"
echo '## PyTorch'
python3 bench/gpu/torch_step.py "$here/realshape" "${STEPS:-10}" 2>&1 | tee "$out/realshape-torch.txt"
