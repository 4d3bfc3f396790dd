"""Two threads with one handle each give what one handle gives, call for call."""
import threading

import numpy as np

from conftest import SHIPPED, nio_afm2_64, triclinic_mno
from spinmd import Model


def trajectory(atoms, steps=6, seed=0):
    """Rattled copies of atoms: a sequence along which the warm start matters."""
    rng = np.random.default_rng(seed)
    return [atoms.positions + 0.02 * rng.standard_normal(atoms.positions.shape) for _ in range(steps)]


def run(model, atoms, positions):
    return [model.evaluate(atoms.numbers, r, atoms.cell.array, atoms.pbc, atoms.get_initial_magnetic_moments())
            for r in positions]


def test_two_threads_two_handles_equal_one():
    systems = [nio_afm2_64(), triclinic_mno()]
    paths = [trajectory(a, seed=k) for k, a in enumerate(systems)]
    serial = [run(Model(str(SHIPPED), threads=1), a, p) for a, p in zip(systems, paths)]
    parallel = [None, None]

    def worker(k):
        parallel[k] = run(Model(str(SHIPPED), threads=1), systems[k], paths[k])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for one, two in zip(serial, parallel):
        for a, b in zip(one, two):
            assert a["energy"] == b["energy"]
            for key in ("forces", "virial", "moments", "atomic_energies"):
                assert np.array_equal(a[key], b[key]), key


def test_a_shared_handle_is_safe():
    """Calls on one handle from two threads are serialised: every result equals a fresh handle's."""
    atoms = nio_afm2_64()
    model = Model(str(SHIPPED), spins="fixed", threads=1)
    expected = run(Model(str(SHIPPED), spins="fixed", threads=1), atoms, [atoms.positions])[0]
    results = []

    def worker():
        results.extend(run(model, atoms, [atoms.positions] * 5))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 10
    assert all(r["energy"] == expected["energy"] and np.array_equal(r["forces"], expected["forces"]) for r in results)
