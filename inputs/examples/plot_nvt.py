#!/usr/bin/env python3
"""Temperature, energies and Ni moments of an NVT run (docs/tutorial.md).

    python3 inputs/examples/plot_nvt.py runs/nio-nvt-300K [out.png]

Needs matplotlib and netCDF4 (pip install matplotlib netCDF4).
"""
import csv
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import netCDF4
import numpy as np

run = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else f"{run}/nvt.png"
rows = list(csv.DictReader(open(f"{run}/thermo.tsv"), delimiter="\t"))
t = np.array([float(r["time_ps"]) for r in rows])
ds = netCDF4.Dataset(f"{run}/trajectory.nc")
types = ds["atom_types"][:]
m = ds["magmoms"][:]                      # (frame, atom) μB
ni = types == 28
fig, ax = plt.subplots(3, 1, figsize=(7, 8), sharex=True)
ax[0].plot(t, [float(r["temperature_K"]) for r in rows])
ax[0].axhline(300, color="grey", lw=0.8)
ax[0].set_ylabel("T (K)")
n = ni.sum() + (~ni).sum()
e0 = float(rows[0]["potential_eV"])
ax[1].plot(t, [(float(r["potential_eV"]) - e0) * 1000 / n for r in rows], label="potential")
ax[1].plot(t, [(float(r["conserved_eV"]) - float(rows[0]["conserved_eV"])) * 1000 / n for r in rows], label="conserved (NHC)")
ax[1].set_ylabel("E − E(0) (meV/atom)")
ax[1].legend()
tf = ds["time"][:]
ax[2].plot(tf, np.abs(m[:, ni]).mean(axis=1), label="mean |m(Ni)|")
ax[2].plot(tf, np.abs(m[:, ~ni]).mean(axis=1), label="mean |m(O)|")
ax[2].set_ylabel("moment (μB)")
ax[2].set_xlabel("time (ps)")
ax[2].legend()
fig.tight_layout()
fig.savefig(out, dpi=110)
print(f"wrote {out}")
