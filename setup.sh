#!/usr/bin/env bash
# kubesim quick start, step 1: install what is missing (Debian 12), build a Release build, and
# run configs/quickstart.yaml. Idempotent, and quiet when everything is already present.
set -euo pipefail
cd "$(dirname "$0")"

packages=(build-essential cmake pkg-config libgsl-dev libhdf5-dev libcmocka-dev libyaml-dev
          python3-h5py python3-numpy python3-pandas python3-matplotlib jupyter-nbconvert
          python3-ipykernel)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target kubesim >/dev/null
./build/kubesim run configs/quickstart.yaml "$@"
