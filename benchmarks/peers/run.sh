#!/usr/bin/env bash
# Ours against PyTorch in one invocation: builds the benchmark project, then for each workload runs ours
# (`Lfm2Vl.Benchmarks --table --key KEY`) and right after it the peer (torch_peers.py with Debian's PyTorch 1.13,
# OPENBLAS_CORETYPE=SkylakeX, 2 threads), so both sides of a ratio see the same machine state; then writes one
# markdown table (workload, ours, peer, ours/peer, % of FP32 peak, load) to
# benchmarks/peers/results/table-<UTC time>.md and stdout.
#   benchmarks/peers/run.sh [--only SUBSTRING]     # e.g. --only sgemm; a few minutes for everything on 2 cores
# Environment: PYTHON (default /usr/bin/python3, which has python3-torch), LFM2VL_PEAK_GFLOPS (peak override),
# OUT_DIR (default benchmarks/peers/results), OPENBLAS_DIR (a folder holding OpenBLAS's libblas.so.3, for when the
# system's libblas.so.3 is the slow reference BLAS; see benchmarks/README.md), OMP_WAIT_POLICY (passed through).
set -euo pipefail
cd "$(dirname "$0")/../.."

python=${PYTHON:-/usr/bin/python3}
out_dir=${OUT_DIR:-benchmarks/peers/results}
only=${2:-}
if [[ ${1:-} != --only ]]; then only=""; fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out_dir"

"$python" -c 'import torch' 2>/dev/null || {
  echo "$python has no torch: install Debian's python3-torch (apt-get install python3-torch) or set PYTHON." >&2
  exit 1
}

# Debian's python3-torch calls whatever libblas.so.3 the system selects: without libopenblas0-openmp that is the
# reference BLAS, about 5 GFLOP/s, which would make every matmul of the peer meaningless.
if [[ -n ${OPENBLAS_DIR:-} ]]; then
  export LD_LIBRARY_PATH="$OPENBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
elif [[ $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null) == */blas/libblas.so.3* ]]; then
  echo "The system's libblas.so.3 is the reference BLAS: install libopenblas0-openmp, or set OPENBLAS_DIR (benchmarks/README.md)." >&2
  exit 1
fi

echo "==> build (Release)" >&2
dotnet build benchmarks/Lfm2Vl.Benchmarks -c Release -nologo -v quiet >&2
ours=(dotnet benchmarks/Lfm2Vl.Benchmarks/bin/Release/net10.0/Lfm2Vl.Benchmarks.dll --table)
peer=(env OPENBLAS_CORETYPE=SkylakeX "$python" benchmarks/peers/torch_peers.py --coretype=SkylakeX --threads 2)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS

mapfile -t keys < <("${ours[@]}" --list | grep -iF -- "$only" || true)
if [[ ${#keys[@]} -eq 0 ]]; then echo "No workload matches '$only' (see: ${ours[*]} --list)." >&2; exit 1; fi
ours_files=() peer_files=()
for i in "${!keys[@]}"; do
  key=${keys[$i]}
  "${ours[@]}" --key "$key" --out "$work/ours-$i.json" >&2
  "${peer[@]}" --key "$key" --out "$work/peer-$i.json"
  ours_files+=("$work/ours-$i.json") peer_files+=("$work/peer-$i.json")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

table="$out_dir/table-$stamp.md"
"$python" benchmarks/peers/make_table.py --ours "${ours_files[@]}" --peer "${peer_files[@]}" \
  --note "Run $stamp on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $((SECONDS - start)) s, ours then the peer for each workload." \
  --note "Load averages (1/5/15 min): before $load_before, after $load_after." \
  > "$table"
mkdir -p "$out_dir/json-$stamp" && cp "${ours_files[@]}" "${peer_files[@]}" "$out_dir/json-$stamp/"
cat "$table"
echo "==> $table (the raw JSON files: $out_dir/json-$stamp)" >&2
