# Sourced on a lent machine that has Python 3 but perhaps neither Node nor xz: undoes what
# tools/device/carry.ts packed (an xz-compressed node, onnxruntime-node with its library as .xz).
#   . tools/device/unpack.sh; unpack_node <node.xz> <dest>; unpack_ort <ort-package-folder>

# unxz <file.xz> <dest>: Python's lzma module, so no xz command is needed.
unxz() {
  "${PYTHON:-python3}" -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$1" "$2"
}

# unpack_node <node.xz> <dest>: an executable node at <dest> (kept if already there).
unpack_node() {
  if [ ! -x "$2" ]; then
    unxz "$1" "$2.part" && chmod +x "$2.part" && mv "$2.part" "$2"
  fi
}

# unpack_ort <folder>: puts libonnxruntime.so.1 back next to the binding (kept if already there).
unpack_ort() {
  local lib="$1/bin/napi-v6/linux/x64/libonnxruntime.so.1"
  if [ ! -f "$lib" ]; then
    unxz "$1/libonnxruntime.so.1.xz" "$lib.part" && mv "$lib.part" "$lib"
  fi
}
