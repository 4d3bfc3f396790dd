#!/usr/bin/env python3
"""Numbers for docs/model-card.md, from `spinmd eval` runs (Python standard library only).

    python3 inputs/models/model_card.py [--spinmd .build/release/spinmd] [--model M]
        [--run DIR] [--blind B]

Needs a training of inputs/models/tmo-pbeu.train.json (its output directory, `--run`, holds the
held-out test frames and split.tsv) and the spin-blind model of tmo-pbeu-spinblind.train.json
(`--blind`; without it the spin-blind columns are skipped). Prints markdown.
"""
import argparse
import collections
import csv
import io
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXED_TEST = "inputs/models/tmo-pbeu.fixed-test.tsv"


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


def tsv(path):
    """The rows of a tab-separated file after its header line, as tuples of strings."""
    with open(path) as f:
        return [tuple(l.rstrip("\n").split("\t")) for l in f][1:]


def select(paths, keep, out):
    """Writes to `out` the frames of the extxyz files `paths` whose comment line passes `keep`."""
    with open(out, "w") as f:
        for path in paths:
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


def number(comment, key, default=0.0):
    """The value of `key=value` on an extxyz comment line, as a float (`default` if absent)."""
    return next((float(w.split("=", 1)[1]) for w in comment.split() if w.startswith(key + "=")), default)


def basis_correction(comment):
    """The finite-basis correction [eV] that `tmo_dft.py correct` added to a frame's energy (0 if none)."""
    return number(comment, "basis_correction")


def table(rows, comments, key):
    """MAE of energy (meV/atom), forces (meV/Å) and moments (μB) per group of `key(row, comment)`."""
    groups = collections.defaultdict(list)
    for r, c in zip(rows, comments):
        for k in key(r, c):
            groups[k].append(r)
    out = []
    for k in sorted(groups):
        g = groups[k]
        # Per frame for energies, per atom for forces and moments (as `spinmd eval` averages).
        e, f = mae(g)
        m = sum(float(r["moments_mae_uB"]) * int(r["atoms"]) for r in g) / sum(int(r["atoms"]) for r in g)
        out.append((k, len(g), e, f, m))
    return out


def mae(rows):
    """Energy MAE (meV/atom, per frame) and force MAE (meV/Å, per atom) of `spinmd eval` CSV rows."""
    e = sum(abs(float(r["energy_error_meV_per_atom"])) for r in rows) / len(rows)
    f = sum(float(r["forces_mae_meV_per_A"]) * int(r["atoms"]) for r in rows) / sum(int(r["atoms"]) for r in rows)
    return e, f


def bootstrap(rows, draws=2000, seed=1):
    """Standard errors of the test energy and force MAEs from resampling the frames (Efron's
    bootstrap): how much the floors' comparison depends on which frames the split drew."""
    import random
    g = random.Random(seed)
    samples = [mae([g.choice(rows) for _ in rows]) for _ in range(draws)]
    sd = lambda v: math.sqrt(sum((x - sum(v) / len(v)) ** 2 for x in v) / (len(v) - 1))
    return sd([e for e, _ in samples]), sd([f for _, f in samples])


def correlation(x, y):
    """Pearson's r of two lists."""
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i])
    r = [0] * len(x)
    for k, i in enumerate(order):
        r[i] = k
    return r


def committee_spread(rows):
    """How well a committee's spread (spinmd eval --csv columns) ranks the frames' errors."""
    force_spread = [float(r["committee_force_std_max_eV_per_A"]) for r in rows]
    force_error = [float(r["forces_rmse_meV_per_A"]) for r in rows]
    energy_spread = [float(r["committee_energy_std_eV_per_atom"]) for r in rows]
    energy_error = [abs(float(r["energy_error_meV_per_atom"])) for r in rows]
    top = lambda v: set(sorted(range(len(v)), key=lambda i: -v[i])[:10])
    print("Committee spread against error over the %d frames: force spread (largest atom) vs force RMSE: "
          "rank correlation %.2f, Pearson %.2f, %d of the 10 largest spreads among the 10 largest errors; "
          "energy spread vs |energy error|: rank correlation %.2f, Pearson %.2f\n" % (
              len(rows), correlation(ranks(force_spread), ranks(force_error)), correlation(force_spread, force_error),
              len(top(force_spread) & top(force_error)),
              correlation(ranks(energy_spread), ranks(energy_error)), correlation(energy_spread, energy_error)))


def shear_minimum(points):
    """s at the minimum of a parabola fitted to (s, E) with |s| ≤ 0.03, and the rhombohedral angle."""
    pts = [(s, e) for s, e in points if abs(s) <= 0.0301]
    n = len(pts)
    sx = [sum(s ** k for s, _ in pts) for k in range(5)]
    sy = [sum(e * s ** k for s, e in pts) for k in range(3)]
    # Normal equations for e = c0 + c1 s + c2 s².
    a = [[sx[0], sx[1], sx[2]], [sx[1], sx[2], sx[3]], [sx[2], sx[3], sx[4]]]
    b = sy[:]
    for i in range(3):
        for j in range(i + 1, 3):
            f = a[j][i] / a[i][i]
            a[j] = [x - f * y for x, y in zip(a[j], a[i])]
            b[j] -= f * b[i]
    c = [0.0, 0.0, 0.0]
    for i in (2, 1, 0):
        c[i] = (b[i] - sum(a[i][j] * c[j] for j in range(i + 1, 3))) / a[i][i]
    s = -c[1] / (2 * c[2])
    return s, angle(s), n


def angle(s):
    """Rhombohedral angle (°) of the pseudo-cubic cell after the trigonal strain s(n nᵀ − 1/3)."""
    cos = (2 * s / 3 + s * s / 9) / (1 + 2 * s * s / 9)
    return math.degrees(math.acos(cos))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spinmd", default=".build/release/spinmd")
    p.add_argument("--model", default="inputs/models/tmo-pbeu.safetensors",
                   help="the model to report on (e.g. another seed's training; same split)")
    p.add_argument("--run", default="runs/train-tmo-pbeu",
                   help="the training's output directory (test.extxyz, split.tsv)")
    p.add_argument("--blind", default="runs/train-tmo-pbeu-spinblind/tmo-pbeu-spinblind.safetensors",
                   help="the spin-blind model; its columns are skipped if the file is missing")
    a = p.parse_args()
    model = a.model
    blind = a.blind if os.path.exists(os.path.join(ROOT, a.blind)) else None
    if blind is None:
        print(f"(no spin-blind model at {a.blind}: its columns are skipped)\n")
    test = os.path.join(a.run, "test.extxyz")
    tmp = tempfile.mkdtemp()

    print("## Test set (frames the model never saw)\n")
    comments = [c for _, c in frames(os.path.join(ROOT, test))]
    # test.extxyz holds the test frames in split.tsv's order; FIXED_TEST lists the test frames
    # the split gave before round 4 was added (the set the fifth model was judged on).
    split = tsv(os.path.join(ROOT, os.path.dirname(test), "split.tsv"))
    fixed = set(tsv(os.path.join(ROOT, FIXED_TEST)))
    in_fixed = [(os.path.basename(f), k) in fixed for s, f, k in split if s == "test"]
    def groups(r, c):
        # The first active-learning frames name metal and ordering only in their tag (nio-afm2).
        tag = c.split('tag="')[1].split('"')[0] if 'tag="' in c else ""
        tm = "NiO" if "tm=Ni" in c or "nio-" in tag else "MnO"
        order = r["order"] or tag.split("-")[-1]
        common = ["all", tm, f"{tm} {order}"] + ([f"the {len(fixed)} frames fixed before round 4"] if in_fixed[int(r["frame"]) - 1] else [])
        if "kind=structure" in c:
            return common + ["active-learning frames"]
        disp = number(c, "disp")
        kind = f"rattles of {disp:g} Å" if disp > 0 else "ideal, strained or sheared cells"
        large = ["rattles of 0.1–0.15 Å"] if disp >= 0.1 else []
        return common + ["all but the active-learning frames", kind] + large
    results, raw = {}, {}
    for label, m, spins in [("SpinMultiNet, fixed spins", model, "fixed"),
                            ("SpinMultiNet, self-consistent spins", model, "self-consistent"),
                            ("spin-blind", blind, "fixed")][:3 if blind else 2]:
        _, rows = evaluate(a.spinmd, m, test, spins)
        results[label] = table(rows, comments, groups)
        if spins == "fixed" and m == model:
            worst, job = max(zip(rows, comments), key=lambda rc: float(rc[0]["forces_mae_meV_per_A"]))
            job = job.split('job="')[1].split('"')[0] if 'job="' in job else "?"
            print("Bootstrap standard errors over the %d frames: E %.1f meV/atom, F %.1f meV/Å" % ((len(rows),) + bootstrap(rows)))
            held = [r for r, f in zip(rows, in_fixed) if f]
            print("Bootstrap standard errors over the %d frames fixed before round 4: E %.1f meV/atom, F %.1f meV/Å" % ((len(held),) + bootstrap(held)))
            print("Without the worst force frame (%s): E %.2f meV/atom, F %.1f meV/Å\n" % ((job,) + mae([r for r in rows if r is not worst])))
            if "committee_force_std_max_eV_per_A" in rows[0]:
                committee_spread(rows)
        raw[label] = [abs(float(r["energy_error_meV_per_atom"]) + 1000 * basis_correction(c) / int(r["atoms"]))
                      for r, c in zip(rows, comments)]
    print("| set | frames | " + " | ".join(f"{l}: E meV/atom, F meV/Å, m μB" for l in results) + " |")
    print("|---|---|" + "---|" * len(results))
    first = list(results.values())[0]
    for i, (k, n, *_rest) in enumerate(first):
        cells = [f"{t[i][2]:.1f}, {t[i][3]:.1f}, {t[i][4]:.3f}" for t in results.values()]
        print(f"| {k} | {n} | " + " | ".join(cells) + " |")
    print("\nEnergy MAE against the uncorrected energies (`energy_raw`), all frames: "
          + ", ".join(f"{l} {sum(v) / len(v):.1f}" for l, v in raw.items()) + " meV/atom\n")

    print("## Self-consistent spins on every frame of the data (training frames included)\n")
    data = os.path.join(ROOT, "inputs/dft/data/basis-corrected")
    bad, total = [], 0
    for name in sorted(os.listdir(data)):
        _, rows = evaluate(a.spinmd, model, os.path.join(data, name), "self-consistent")
        total += len(rows)
        bad += [(name, r["frame"], r["moments_mae_uB"], r["energy_error_meV_per_atom"])
                for r in rows if float(r["moments_mae_uB"]) > 0.05]
    print(f"{len(bad)} of {total} frames end with a mean moment error above 0.05 μB" + "".join(
        f"\n- {n} frame {k}: {float(m):.2f} μB, {float(e):+.1f} meV/atom" for n, k, m, e in bad) + "\n")

    print("## Orderings at one geometry (ideal cells, a = 4.17 / 4.445 Å), meV/f.u. relative to AFM-II\n")
    ideal = os.path.join(tmp, "ideal.extxyz")
    src = os.path.join(data, "tmo-round1.extxyz")
    select([src], lambda c: 'kind=ideal' in c and "disp=0 strain=0" in c, ideal)
    energies = collections.defaultdict(dict)
    for label, m, spins in [("fixed", model, "fixed"), ("self-consistent", model, "self-consistent"),
                            ("blind", blind, "fixed")][:3 if blind else 2]:
        _, rows = evaluate(a.spinmd, m, ideal, spins)
        for r, (_, c) in zip(rows, frames(ideal)):
            tm = "Ni" if "tm=Ni" in c else "Mn"
            fu = int(r["atoms"]) // 2
            energies[(tm, r["order"])]["dft"] = float(r["energy_dft_eV"]) / fu
            energies[(tm, r["order"])][label] = float(r["energy_model_eV"]) / fu
    print("| compound | ordering | DFT | self-consistent spins | fixed spins | spin-blind |")
    print("|---|---|---|---|---|---|")
    for tm in ["Ni", "Mn"]:
        ref = energies[(tm, "afm2")]
        for order in ["fm", "afm1"]:
            e = energies[(tm, order)]
            d = {k: 1000 * (e[k] - ref[k]) for k in e}
            b = f"{d['blind']:+.1f}" if blind else "–"
            print(f"| {tm}O | {order} | {d['dft']:+.1f} | {d['self-consistent']:+.1f} | {d['fixed']:+.1f} | {b} |")
    print()

    print("## [111] trigonal shear of AFM-II at fixed volume (meV/f.u. relative to s = 0)\n")
    print("At DFT's volumes (a = 4.17 / 4.445 Å; training and test frames):\n")
    shear_scan(a.spinmd, model, os.path.join(tmp, "shear.extxyz"),
               [src, os.path.join(data, "tmo-round2.extxyz")],
               lambda c: "order=afm2" in c and "kind=ideal" in c and ("shear111=" in c or "disp=0 strain=0" in c))
    # NOTE: the DFT energies of this scan differ by at most ~2 meV/f.u., the size of the basis noise
    # that the correction leaves (its parabola has the wrong sign); DFT's minimum comes from the stress.
    print("NiO at the model's own relaxed volume (a = 4.271 Å; no frame of this scan is training data;"
          " DFT's minimum from the stress only):\n")
    shear_scan(a.spinmd, model, os.path.join(tmp, "shear-4.271.extxyz"),
               [os.path.join(ROOT, "inputs/dft/data/tmo-nio-shear-4.271.extxyz")], lambda c: "a=4.271" in c,
               dft_energies=False)


def shear_scan(spinmd, model, out, sources, keep, dft_energies=True):
    """Prints DFT and model energies, DFT shear stresses and the minima of an AFM-II [111] shear
    scan: the frames of `sources` whose comment passes `keep`, per metal."""
    select(sources, keep, out)
    _, rows = evaluate(spinmd, model, out, spins="self-consistent")
    points = collections.defaultdict(list)
    comments = [c for _, c in frames(out)]
    for c, r in zip(comments, rows):
        s = number(c, "shear111")
        tm = "Ni" if "tm=Ni" in c else "Mn"
        offdiag = 0.0
        if 'stress="' in c:
            v = [float(x) for x in c.split('stress="')[1].split('"')[0].split()]
            offdiag = (v[1] + v[2] + v[5]) / 3 * 160.21766208  # mean of σxy, σxz, σyz [GPa]
        e = float(r["energy_dft_eV"])
        points[tm].append((s, e / 2, float(r["energy_model_eV"]) / 2, offdiag, (e - basis_correction(c)) / 2))
    # (table row, fit label, index into a point)
    series = [("model", "model", 2)]
    if dft_energies:
        corrected = any(basis_correction(c) != 0 for c in comments)
        series[:0] = [("DFT", "DFT energies", 1)] + ([("DFT, uncorrected", "DFT energies, uncorrected", 4)] if corrected else [])
    for tm in sorted(points, reverse=True):
        pts = sorted(points[tm])
        e0 = [p for p in pts if p[0] == 0][0]
        print(f"{tm}O: | s | " + " | ".join(f"{p[0]:+.3f}" for p in pts) + " |")
        for label, _, k in series:
            print(f"| {label} | " + " | ".join(f"{1000 * (p[k] - e0[k]):+.1f}" for p in pts) + " |")
        print(f"| DFT shear stress (GPa) | " + " | ".join(f"{p[3]:+.3f}" for p in pts) + " |")
        for _, label, k in series:
            s, alpha, n = shear_minimum([(p[0], p[k]) for p in pts])
            print(f"{tm}O {label}: parabola minimum s = {s:+.4f} (α = {alpha:.3f}°) from {n} points")
        cross = [(p, q) for p, q in zip(pts, pts[1:]) if p[3] <= 0 < q[3] or p[3] >= 0 > q[3]]
        for p, q in cross:
            s = p[0] - p[3] * (q[0] - p[0]) / (q[3] - p[3])
            print(f"{tm}O DFT stress: shear stress vanishes at s = {s:+.4f} (α = {angle(s):.3f}°)")
        print()


if __name__ == "__main__":
    main()
