#!/usr/bin/env bash
# Publishes the native predictor (NativeAOT, x86-64-v4), writes small/ResNet-18/ViT-Ti checkpoints and images, and
# checks that the native executable prints the same logits as the JIT build of the same program. Prints the
# executable's size, its cold start to the first predictions and its peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
out="$work/publish"
# Own artifacts path: the publish cannot race with a build of the repository (the same as AotPredictorTests).
dotnet publish src/Lfm2Vl.Inference.Aot/Lfm2Vl.Inference.Aot.csproj -c Release -r linux-x64 -o "$out" --artifacts-path "$work/artifacts" -nologo -v q
dotnet build benchmarks/Lfm2Vl.Deploy.Bench/Lfm2Vl.Deploy.Bench.csproj -c Release -nologo -v q
bench=benchmarks/Lfm2Vl.Deploy.Bench/bin/Release/net10.0/Lfm2Vl.Deploy.Bench.dll
jit="$work/artifacts/bin/Lfm2Vl.Inference.Aot/release_linux-x64/lfm2vl-predict.dll"
echo "native executable: $(stat -c %s "$out/lfm2vl-predict") bytes"
status=0
for spec in "small 64" "resnet18 224" "vit-ti 224"; do
  set -- $spec
  dotnet "$bench" aot-fixture "$work/fixture" "$1" "$2" > /dev/null
  ckpt="$work/fixture/${1#vit-}-$2.safetensors"
  mapfile -t images < <(find "$work/fixture/images" -type f | sort | head -4)
  "$out/lfm2vl-predict" "$ckpt" "${images[@]}" --logits > "$work/native.txt"
  dotnet "$jit" "$ckpt" "${images[@]}" --logits > "$work/jit.txt"
  tail -1 "$work/native.txt"
  if diff <(grep -v '^model' "$work/native.txt") <(grep -v '^model' "$work/jit.txt") > /dev/null; then
    echo "$1@$2: native == JIT"
  else
    echo "$1@$2: native and JIT predictions differ"; status=1
  fi
done
exit $status
