#!/usr/bin/env python3
"""Numbers for docs/model-card.md, from `spinmd eval` runs (Python standard library only).

    python3 inputs/models/model_card.py [--spinmd .build/release/spinmd]

Needs the trainings of inputs/models/tmo-pbeu.train.json and tmo-pbeu-spinblind.train.json
(their output directories hold the held-out test frames). Prints markdown.
"""
import argparse
import collections
import csv
import io
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(args):
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT).stdout


def frames(path):
    """Yields (lines, info) for each frame of an extxyz file."""
    with open(path) as f:
        lines = f.read().splitlines()
    k = 0
    while k < len(lines):
        if not lines[k].strip():
            k += 1
            continue
        n = int(lines[k])
        yield lines[k:k + 2 + n], lines[k + 1]
        k += 2 + n


def select(path, keep, out):
    with open(out, "w") as f:
        for block, comment in frames(path):
            if keep(comment):
                f.write("\n".join(block) + "\n")


def evaluate(spinmd, model, data, spins="fixed"):
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as t:
        name = t.name
    text = run([spinmd, "eval", model, data, "--spins", spins, "--csv", name, "--group-by", "order"])
    rows = list(csv.DictReader(open(name)))
    os.unlink(name)
    return text, rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spinmd", default=".build/release/spinmd")
    a = p.parse_args()
    model = "inputs/models/tmo-pbeu.safetensors"
    blind = "runs/train-tmo-pbeu-spinblind/tmo-pbeu-spinblind.safetensors"
    test = "runs/train-tmo-pbeu/test.extxyz"
    tmp = tempfile.mkdtemp()

    print("## Test set (frames the model never saw)\n")
    for tm in ["Ni", "Mn"]:
        part = os.path.join(tmp, f"test-{tm}.extxyz")
        select(os.path.join(ROOT, test), lambda c, tm=tm: f"tm={tm}" in c, part)
        for label, m in [("SpinMultiNet", model), ("spin-blind", blind)]:
            text, _ = evaluate(a.spinmd, m, part)
            print(f"### {tm}O, {label}\n\n```\n" + text.split("\n", 2)[2].strip() + "\n```\n")

    print("## Orderings at one geometry (ideal cells, a = 4.17 / 4.445 Å)\n")
    ideal = os.path.join(tmp, "ideal.extxyz")
    src = os.path.join(ROOT, "inputs/dft/data/tmo-round1-v1.extxyz")
    select(src, lambda c: 'kind=ideal' in c and "disp=0 strain=0" in c, ideal)
    table = collections.defaultdict(dict)
    for label, m in [("model", model), ("blind", blind)]:
        _, rows = evaluate(a.spinmd, m, ideal, spins="self-consistent" if label == "model" else "fixed")
        for r in rows:
            tm = "Ni" if r["energy_dft_eV"] and float(r["energy_dft_eV"]) > -30 else "Mn"
            fu = int(r["atoms"]) // 2
            table[(tm, r["order"])]["dft"] = float(r["energy_dft_eV"]) / fu
            table[(tm, r["order"])][label] = float(r["energy_model_eV"]) / fu
    print("| compound | ordering | DFT meV/f.u. | SpinMultiNet (self-consistent) | spin-blind |")
    print("|---|---|---|---|---|")
    for tm in ["Ni", "Mn"]:
        ref = table[(tm, "afm2")]
        for order in ["fm", "afm1", "afm2"]:
            e = table[(tm, order)]
            print(f"| {tm}O | {order} | {1000 * (e['dft'] - ref['dft']):+.1f} | {1000 * (e['model'] - ref['model']):+.1f} | "
                  f"{1000 * (e['blind'] - ref['blind']):+.1f} |")
    print()

    print("## [111] trigonal shear of AFM-II at fixed volume (energy relative to s = 0, meV/f.u.)\n")
    shear = os.path.join(tmp, "shear.extxyz")
    select(src, lambda c: "order=afm2" in c and ("shear111=" in c or "disp=0 strain=0" in c), shear)
    _, rows = evaluate(a.spinmd, model, shear, spins="self-consistent")
    blocks = list(frames(shear))
    points = collections.defaultdict(list)
    for (block, comment), r in zip(blocks, rows):
        s = 0.0
        for w in comment.split():
            if w.startswith("shear111="):
                s = float(w.split("=")[1])
        tm = "Ni" if "tm=Ni" in comment else "Mn"
        points[tm].append((s, float(r["energy_dft_eV"]) / 2, float(r["energy_model_eV"]) / 2))
    print("| compound | s | DFT | SpinMultiNet |\n|---|---|---|---|")
    for tm in ["Ni", "Mn"]:
        pts = sorted(points[tm])
        e0 = [p for p in pts if p[0] == 0][0]
        for s, d, m in pts:
            print(f"| {tm}O | {s:+.3f} | {1000 * (d - e0[1]):+.1f} | {1000 * (m - e0[2]):+.1f} |")
    print()


if __name__ == "__main__":
    main()
