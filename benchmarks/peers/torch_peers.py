#!/usr/bin/python3
"""The peers side of the benchmark table: the workloads of `Lfm2Vl.Benchmarks --table`, in PyTorch.

Same shapes, same models (backbone -> Linear(C, 256) + GELU neck -> Dropout(0.2) + Linear(256, 10) head, as
Lfm2Vl.Vision's ModelRegistry builds them), same timing rule (warm-up until 2 calls, 3 s and a last call within
1.2x of the fastest, then clamp(2 s / call, 3, 25) timed calls, median). Writes JSON in the format make_table.py joins.

Run with Debian's python3-torch (PyTorch 1.13 on Debian's OpenBLAS):
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 benchmarks/peers/torch_peers.py --out peer.json
OpenBLAS 0.3.21 misdetects this CPU without OPENBLAS_CORETYPE (set here too, before torch loads it), and PyTorch
defaults to one thread on this box, so --threads (default 2) sets it. OPENBLAS_CORETYPE is set to SkylakeX
whatever the environment says (--coretype=NAME to change it).
"""
import argparse
import json
import os
import statistics
import sys
import time

# OpenBLAS reads its core type when torch loads it, so this is decided before the import. This box's environment
# sets OPENBLAS_CORETYPE=Haswell globally, hence an explicit option rather than a default.
_core = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--coretype=")), "SkylakeX")
os.environ["OPENBLAS_CORETYPE"] = _core

import torch  # noqa: E402  (after OPENBLAS_CORETYPE)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CLASSES = 10
WARMUP_S, MEASURE_S, MIN_REPEATS, MAX_REPEATS, MAX_WARMUPS = 3.0, 2.0, 3, 25, 100_000
SETTLED_RATIO, MAX_WARMUP_S = 1.2, 10.0


# ---- flop counting: 2 flops per multiply-add of convolutions, linear layers and attention's two matmuls ----

class FlopCounter:
    active = False
    flops = 0

    @classmethod
    def add(cls, f):
        if cls.active:
            cls.flops += f


def _conv_hook(m, inp, out):
    FlopCounter.add(2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])


def _linear_hook(m, inp, out):
    FlopCounter.add(2 * out.numel() * m.in_features)


def forward_flops(model, x):
    """Flops of one forward pass (convs, linears, attention matmuls; norms and activations are not counted)."""
    hooks = [m.register_forward_hook(_conv_hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks += [m.register_forward_hook(_linear_hook) for m in model.modules() if isinstance(m, nn.Linear)]
    FlopCounter.active, FlopCounter.flops = True, 0
    with torch.no_grad():
        model(x)
    FlopCounter.active = False
    for h in hooks:
        h.remove()
    return float(FlopCounter.flops)


# ---- the three models ----

def conv_bn_relu(cin, cout, k=3, stride=1, pad=1):
    return [nn.Conv2d(cin, cout, k, stride, pad, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class SmallCnn(nn.Module):
    """cnn/small: 4 stages conv3x3-BN-ReLU-maxpool (32/64/128/256), global average pool."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for w in (32, 64, 128, 256):
            layers += conv_bn_relu(cin, w) + [nn.MaxPool2d(2)]
            cin = w
        self.features = nn.Sequential(*layers)
        self.channels = cin

    def forward(self, x):
        return self.features(x).mean((2, 3))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)), inplace=True)
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)), inplace=True)


class ResNet18(nn.Module):
    """cnn/resnet18: torchvision's ResNet-18 without its fc (torchvision is not installed with python3-torch)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1))
        blocks, cin = [], 64
        for s, w in enumerate((64, 128, 256, 512)):
            blocks += [BasicBlock(cin, w, 2 if s > 0 else 1), BasicBlock(w, w, 1)]
            cin = w
        self.layers = nn.Sequential(*blocks)
        self.channels = cin

    def forward(self, x):
        return self.layers(self.stem(x)).mean((2, 3))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, l, d = x.shape
        q, k, v = self.qkv(x).reshape(b, l, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        return self.proj(attention(q, k, v).transpose(1, 2).reshape(b, l, d))


def attention(q, k, v):
    """softmax(q k^T / sqrt(d)) v, as timm's ViT computes it (PyTorch 1.13 has no fused kernel for it)."""
    b, h, l, d = q.shape
    FlopCounter.add(4 * b * h * l * k.shape[2] * d)
    return ((q @ k.transpose(-2, -1)) * d ** -0.5).softmax(-1) @ v


class Block(nn.Module):
    def __init__(self, dim, heads, mlp):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.fc1 = nn.Linear(dim, mlp)
        self.fc2 = nn.Linear(mlp, dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class VitTi(nn.Module):
    """vit/ti: ViT-Ti/16 (patch 16, dim 192, depth 12, heads 3, MLP 768, class token, pre-norm, final LayerNorm)."""

    def __init__(self, image=224, patch=16, dim=192, depth=12, heads=3, mlp=768):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, patch, patch)
        tokens = (image // patch) ** 2 + 1
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.channels = dim

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
        return self.norm(self.blocks(x))[:, 0]


class Classifier(nn.Module):
    """Backbone -> Linear(C, 256) + GELU neck -> Dropout(0.2) -> Linear(256, classes): Lfm2VlModel's layout."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.neck = nn.Linear(backbone.channels, 256)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(256, CLASSES)

    def forward(self, x):
        return self.fc(self.drop(F.gelu(self.neck(self.backbone(x)))))


MODELS = {"small-cnn": (SmallCnn, 64), "resnet18": (ResNet18, 224), "vit-ti": (VitTi, 224)}
TRAINING = [("small-cnn", 64), ("resnet18", 32), ("vit-ti", 8)]
INFERENCE = [("small-cnn", 64), ("small-cnn", 32), ("small-cnn", 1), ("resnet18", 32), ("resnet18", 1),
             ("vit-ti", 32), ("vit-ti", 1)]


# ---- workloads: (key, flops per call or 0, images per call, make); make() returns (model flops, call, parameters) ----

def sgemm(n):
    a, b = torch.randn(n, n), torch.randn(n, n)
    return lambda: torch.mm(a, b)


def conv(backward):
    x = torch.randn(32, 64, 56, 56, requires_grad=backward)
    w = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_(backward)
    gy = torch.randn(32, 64, 56, 56)
    if not backward:
        return lambda: _no_grad(lambda: F.conv2d(x, w, padding=1))

    def step():
        x.grad = w.grad = None
        F.conv2d(x, w, padding=1).backward(gy)
    return step


def attn(backward):
    q, k, v = (torch.randn(8, 3, 197, 64, requires_grad=backward) for _ in range(3))
    go = torch.randn(8, 3, 197, 64)
    if not backward:
        return lambda: _no_grad(lambda: attention(q, k, v))

    def step():
        q.grad = k.grad = v.grad = None
        attention(q, k, v).backward(go)
    return step


def _no_grad(f):
    with torch.no_grad():
        return f()


def model_workload(name, batch, train):
    make_backbone, size = MODELS[name]
    torch.manual_seed(1)
    model = Classifier(make_backbone())
    x = torch.randn(batch, 3, size, size)
    y = torch.arange(batch) % CLASSES
    flops = forward_flops(model.eval(), x) * (3 if train else 1)
    params = sum(p.numel() for p in model.parameters())
    if not train:
        model.eval()
        return flops, lambda: _no_grad(lambda: model(x)), params
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return flops, step, params


def workloads():
    for n in (1024, 2048):
        yield f"sgemm {n}^3", 2.0 * n ** 3, 0, lambda n=n: (None, sgemm(n), 0)
    conv_flops = 2.0 * 32 * 64 * 56 * 56 * 64 * 9
    yield "conv3x3 fwd", conv_flops, 0, lambda: (None, conv(False), 0)
    yield "conv3x3 fwd+bwd", 3 * conv_flops, 0, lambda: (None, conv(True), 0)
    attn_flops = 4.0 * 8 * 3 * 197 * 197 * 64
    yield "attention fwd", attn_flops, 0, lambda: (None, attn(False), 0)
    yield "attention fwd+bwd", 3 * attn_flops, 0, lambda: (None, attn(True), 0)
    for name, batch in TRAINING:
        yield f"{name} train b{batch}", 0, batch, lambda n=name, b=batch: model_workload(n, b, True)
    for name, batch in INFERENCE:
        yield f"{name} infer b{batch}", 0, batch, lambda n=name, b=batch: model_workload(n, b, False)


def measure(run):
    """Warm-up until 2 calls and WARMUP_S and the last call within 1.2x of the fastest (or MAX_WARMUP_S), then
    clamp(MEASURE_S / call, 3, 25) timed calls; their median."""
    start, last, best, i = time.perf_counter(), 0.0, float("inf"), 0
    while i < MAX_WARMUPS and (i < 2 or time.perf_counter() - start < WARMUP_S
                               or (last > SETTLED_RATIO * best and time.perf_counter() - start < MAX_WARMUP_S)):
        t = time.perf_counter()
        run()
        last = time.perf_counter() - t
        best = min(best, last)
        i += 1
    repeats = min(MAX_REPEATS, max(MIN_REPEATS, round(MEASURE_S / max(last, 1e-6))))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def blas_library():
    """The BLAS shared library this process loaded (the peer's SGEMM and linear layers run on it)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.split()[-1]}
        return ", ".join(sorted(libs)) or "none found"
    except OSError:
        return "unknown"


def load_average():
    """The 1-minute load average when a workload starts (Linux), or None."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="JSON output file (default: stdout)")
    ap.add_argument("--only", help="run only workloads whose key contains this")
    ap.add_argument("--key", help="run only the workload with exactly this key")
    ap.add_argument("--list", action="store_true", help="print the workload keys and exit")
    ap.add_argument("--coretype", default="SkylakeX", help="OPENBLAS_CORETYPE (write --coretype=NAME; read before torch loads)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2: both cores here)")
    args = ap.parse_args()
    if args.list:
        print("\n".join(w[0] for w in workloads()))
        return
    torch.set_num_threads(args.threads)
    rows = []
    for key, flops, images, make in workloads():
        if args.only and args.only.lower() not in key.lower():
            continue
        if args.key is not None and key != args.key:
            continue
        load = load_average()
        model_flops, run, params = make()
        flops = flops or model_flops or 0
        median, times = measure(run)
        rate = f"{flops / median / 1e9:8.1f} GFLOP/s" if flops and not images else f"{images / median:8.1f} img/s"
        print(f"peer  {key:<28} {median * 1e3:10.2f} ms  {rate}", file=sys.stderr, flush=True)
        rows.append({"key": key, "flops": flops, "images": images, "median_s": median,
                     "parameters": params, "load1": load, "times_s": times})
        del run
    doc = {
        "framework": f"PyTorch {torch.__version__} ({args.threads} threads, OPENBLAS_CORETYPE="
                     f"{os.environ.get('OPENBLAS_CORETYPE')}, OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'default')}, "
                     f"mkldnn={torch.backends.mkldnn.is_available()}, BLAS {blas_library()})",
        "workloads": rows,
    }
    text = json.dumps(doc, indent=2)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
