#!/usr/bin/env bash
# Ours against PyTorch in one invocation: builds the benchmark project, runs its `--table` mode, then
# torch_peers.py with Debian's PyTorch 1.13 (OPENBLAS_CORETYPE=SkylakeX, 2 threads), and writes one markdown table
# (workload, ours, peer, ours/peer, % of FP32 peak) to benchmarks/peers/results/table-<UTC time>.md and stdout.
#   benchmarks/peers/run.sh [--only KEY]     # e.g. --only sgemm; a few minutes for everything on 2 cores
# Environment: PYTHON (default /usr/bin/python3, which has python3-torch), LFM2VL_PEAK_GFLOPS (peak override),
# OUT_DIR (default benchmarks/peers/results).
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-/usr/bin/python3}
out_dir=${OUT_DIR:-benchmarks/peers/results}
only=()
if [[ ${1:-} == --only ]]; then only=(--only "$2"); fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"

"$python" -c 'import torch' 2>/dev/null || {
  echo "$python has no torch: install Debian's python3-torch (apt-get install python3-torch) or set PYTHON." >&2
  exit 1
}

echo "==> build (Release)" >&2
dotnet build benchmarks/Lfm2Vl.Benchmarks -c Release -nologo -v quiet >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS

echo "==> ours (Lfm2Vl.Benchmarks --table)" >&2
dotnet benchmarks/Lfm2Vl.Benchmarks/bin/Release/net10.0/Lfm2Vl.Benchmarks.dll --table --out "$work/ours.json" "${only[@]}" >&2
load_mid=$(cut -d' ' -f1-3 /proc/loadavg)

echo "==> peer (PyTorch, benchmarks/peers/torch_peers.py)" >&2
OPENBLAS_CORETYPE=SkylakeX "$python" benchmarks/peers/torch_peers.py --coretype=SkylakeX --threads 2 \
  --out "$work/peer.json" "${only[@]}"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

table="$out_dir/table-$stamp.md"
"$python" benchmarks/peers/make_table.py "$work/ours.json" "$work/peer.json" \
  --note "Run $stamp on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $((SECONDS - start)) s." \
  --note "Load averages (1/5/15 min): before $load_before, between ours and peer $load_mid, after $load_after." \
  > "$table"
cp "$work/ours.json" "$out_dir/ours-$stamp.json"
cp "$work/peer.json" "$out_dir/peer-$stamp.json"
cat "$table"
echo "==> $table" >&2
