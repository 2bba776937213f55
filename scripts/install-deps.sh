#!/usr/bin/env bash
# Installs the system packages the tests use. Idempotent; needs root (CI and the dev machines run as root).
#  - pocl-opencl-icd + ocl-icd-opencl-dev: an OpenCL device on the CPU (PoCL) and the plain libOpenCL.so name
#    that ILGPU's loader asks for, so the OpenCL backend is tested without a GPU.
set -euo pipefail
need=()
for p in pocl-opencl-icd ocl-icd-opencl-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-deps: run as root to install: ${need[*]}" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-deps: system packages present"
