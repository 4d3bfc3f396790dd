"""Times a PyTorch NNP on the case of Benchmarks/spinmultinet-default.sh (512-atom rocksalt NiO,
a = 4.17 Å, NVT 300 K, 1 fs) and prints ms per atom-step of its MD.

    python Benchmarks/pytorch_nnp.py mace-small|chgnet [--steps 20] [--threads 1]

Needs torch, ase and mace-torch (for mace-small) or chgnet installed in that Python; nothing is
downloaded. mace-small is the MACE-MP-0 "small" architecture (128x0e hidden irreps, max_ell 3,
correlation 3, two interactions, r_max 6 Å) with random weights: its cost does not depend on the
weights. CHGNet uses the weights its package ships.
"""
import argparse
import time

import numpy as np
import torch
from ase import units
from ase.build import bulk
from ase.md.nvtberendsen import NVTBerendsen
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution


def nio():
    atoms = bulk("NiO", "rocksalt", a=4.17, cubic=True).repeat((4, 4, 4))
    MaxwellBoltzmannDistribution(atoms, temperature_K=300, rng=np.random.default_rng(7))
    return atoms


def mace_small():
    from e3nn import o3
    from mace import modules
    from mace.calculators import MACECalculator

    z = list(range(1, 90))
    model = modules.ScaleShiftMACE(
        r_max=6.0, num_bessel=10, num_polynomial_cutoff=5, max_ell=3,
        interaction_cls=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        interaction_cls_first=modules.interaction_classes["RealAgnosticResidualInteractionBlock"],
        num_interactions=2, num_elements=len(z), hidden_irreps=o3.Irreps("128x0e"),
        MLP_irreps=o3.Irreps("16x0e"), atomic_energies=np.zeros(len(z)), avg_num_neighbors=61.0,
        atomic_numbers=z, correlation=3, gate=torch.nn.functional.silu,
        atomic_inter_scale=1.0, atomic_inter_shift=0.0,
    ).to(torch.float64)
    path = "/tmp/mace-small-random.model"
    torch.save(model, path)
    print(f"# mace-small: {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    return MACECalculator(model_paths=path, device="cpu", default_dtype="float64")


def chgnet():
    from chgnet.model import CHGNet
    from chgnet.model.dynamics import CHGNetCalculator

    return CHGNetCalculator(CHGNet.load(), use_device="cpu")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model", choices=["mace-small", "chgnet"])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    atoms = nio()
    atoms.calc = mace_small() if args.model == "mace-small" else chgnet()
    dynamics = NVTBerendsen(atoms, 1.0 * units.fs, temperature_K=300, taut=100 * units.fs)
    atoms.get_forces()  # first call: set-up, compiled kernels
    start = time.perf_counter()
    dynamics.run(args.steps)
    elapsed = time.perf_counter() - start
    print(f"{1000 * elapsed / (args.steps * len(atoms)):.3f}")


if __name__ == "__main__":
    main()
