#!/usr/bin/env bash
# Installs flipscope's build and test dependencies from Debian 12 packages.
# Idempotent: does nothing when every package is already installed. Uses sudo only when not root.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata
  libopenblas-dev libopenblas-openmp-dev libsleef-dev libdnnl-dev ocl-icd-opencl-dev opencl-headers libopencv-dev libomp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libyaml-cpp-dev
  dataset-fashion-mnist zlib1g-dev chromium
  python3-onnx python3-numpy
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
