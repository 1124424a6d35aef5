#!/usr/bin/env bash
# Runs bench.mjs on a lent GPU machine that has neither Node nor the project's node_modules: the
# caller carries .devbench (node.xz and ort/ from tools/device/carry.ts, the exported models)
# and .gl (Vulkan/GL loader packages).
set -u
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
. tools/device/unpack.sh
unpack_node .devbench/node.xz /tmp/node
unpack_ort .devbench/ort
nvidia-smi -L; /tmp/node --version; ls /usr/local/nvidia/share/vulkan/icd.d/ 2>&1 | head -3
/tmp/node bench/gpu/bench.mjs .devbench/models .devbench/ort 2>&1 | tee "${OUT:-/tmp}/bench.txt"
echo "--- placement (ORT verbose log, WebGPU EP) ---"
PLACEMENT=1 EPS=webgpu ONLY=models /tmp/node bench/gpu/bench.mjs .devbench/models .devbench/ort > "${OUT:-/tmp}/placement.log" 2>&1
grep -iE "placed on|fall ?back|CPUExecutionProvider" "${OUT:-/tmp}/placement.log" | sort | uniq -c | head -20
