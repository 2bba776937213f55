#!/usr/bin/env python3
"""Joins `Lfm2Vl.Benchmarks --table` (ours) and torch_peers.py (peer) JSON files into one markdown table.

    make_table.py --ours ours*.json --peer peer*.json [--note TEXT]...

Several files per side are merged in order (run.sh writes one per workload, alternating the two sides).

Columns: the workload; ours and the peer as throughput (GFLOP/s for kernels, images/s for models, with the
median time per call); ours/peer (the throughput ratio: above 1 means ours is faster); each side's percentage of
the machine's FP32 peak (ours.json's peak_gflops, i.e. MachinePeak: 380 GFLOP/s here or LFM2VL_PEAK_GFLOPS);
the 1-minute load average when each side's workload started.
Model flops are the peer script's count (convolutions, linear layers, attention matmuls at 2 flops per
multiply-add; training = 3 x forward) applied to both sides, which run the same architecture.
Only the standard library is used, so any python3 runs it.
"""
import argparse
import json


def load(paths):
    """The first file's header and the workloads of all the files, by key."""
    docs = []
    for path in paths:
        with open(path) as f:
            docs.append(json.load(f))
    return docs[0], {w["key"]: w for d in docs for w in d["workloads"]}


def load_cell(o, p):
    def one(w):
        return "-" if w is None or w.get("load1") is None else f"{w['load1']:.1f}"
    return f"{one(o)} / {one(p)}"


def throughput(w, flops):
    if w is None:
        return None
    if w["images"]:
        return w["images"] / w["median_s"]
    return flops / w["median_s"] / 1e9 if flops else None


def cell(w, flops):
    if w is None:
        return "-"
    value = throughput(w, flops)
    unit = "img/s" if w["images"] else "GFLOP/s"
    return f"{value:,.1f} {unit} ({w['median_s'] * 1e3:,.1f} ms)"


def percent(w, flops, peak):
    if w is None or not flops:
        return "-"
    return f"{100 * flops / w['median_s'] / 1e9 / peak:.0f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours", nargs="+", required=True, help="JSON files from Lfm2Vl.Benchmarks --table")
    ap.add_argument("--peer", nargs="+", required=True, help="JSON files from torch_peers.py")
    ap.add_argument("--note", action="append", default=[], help="a line printed under the table (repeatable)")
    args = ap.parse_args()
    ours_doc, ours = load(args.ours)
    peer_doc, peer = load(args.peer)
    peak = float(ours_doc["peak_gflops"])
    keys = list(ours) + [k for k in peer if k not in ours]

    print(f"Ours: {ours_doc['framework']}. Peer: {peer_doc['framework']}. Peak: {peak:.0f} GFLOP/s FP32.")
    print()
    print("| workload | ours | peer | ours/peer | ours % of peak | peer % of peak | load 1 min (ours / peer) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for k in keys:
        o, p = ours.get(k), peer.get(k)
        flops = (o and o["flops"]) or (p and p["flops"]) or 0
        ratio = f"{p['median_s'] / o['median_s']:.2f}" if o and p else "-"
        print(f"| {k} | {cell(o, flops)} | {cell(p, flops)} | {ratio} | {percent(o, flops, peak)} | {percent(p, flops, peak)} | {load_cell(o, p)} |")
    print()
    print("Throughput from the median of timed calls after warm-up; ours/peer above 1 means ours is faster. "
          "Model flops (for % of peak) count convolutions, linear layers and attention matmuls; training = 3 x forward.")
    mismatched = [f"{k} (ours {ours[k]['parameters']:,}, peer {peer[k]['parameters']:,})" for k in keys
                  if ours.get(k, {}).get("parameters") and peer.get(k, {}).get("parameters")
                  and ours[k]["parameters"] != peer[k]["parameters"]]
    if mismatched:
        print("Parameter counts differ, so the architectures do: " + "; ".join(mismatched) + ".")
    allocated = [f"{k} {ours[k]['allocated_bytes'] / 1e6:,.1f}" for k in ours if "allocated_bytes" in ours[k]]
    print("Ours, managed MB allocated per call: " + ", ".join(allocated) + ".")
    for n in args.note:
        print(n)


if __name__ == "__main__":
    main()
