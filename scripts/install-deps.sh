#!/usr/bin/env bash
# Installs the system packages the tests use. Idempotent; needs root (CI and the dev machines run as root).
#  - pocl-opencl-icd + ocl-icd-opencl-dev: an OpenCL device on the CPU (PoCL) and the plain libOpenCL.so name
#    that ILGPU's loader asks for, so the OpenCL backend is tested without a GPU.
#  - chromium: headless browser for the prediction server's web-page test (best effort: without it that test skips).
set -euo pipefail
missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }
need=$(missing pocl-opencl-icd ocl-icd-opencl-dev)
optional=$(missing chromium)
if [ -n "$need$optional" ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-deps: run as root to install: $need $optional" >&2; [ -z "$need" ] || exit 1; exit 0; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ -n "$need" ]; then apt-get install -y -qq --no-install-recommends $need >/dev/null; fi
  if [ -n "$optional" ]; then
    apt-get install -y -qq --no-install-recommends $optional >/dev/null || echo "install-deps: could not install $optional; the web-page test will be skipped" >&2
  fi
fi
echo "install-deps: system packages present"
