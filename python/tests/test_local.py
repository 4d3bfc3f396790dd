"""`spinmd_evaluate_local` (the LAMMPS entry point) on explicit ghost atoms equals `evaluate`:
on one process with each ghost's owner given, and on two simulated processes (threads) that
exchange ghost moments and cotangents through the callbacks, as MPI ranks do."""
import threading

import numpy as np
import pytest
from scipy.spatial import cKDTree

from conftest import SHIPPED, canted, nio_afm2_64, triclinic_mno
from spinmd import Model

CUTOFF = 5.0
REACH = 2 * CUTOFF + 0.5  # LAMMPS's ghost cutoff: 2 × cutoff + skin


def images(atoms):
    """Every periodic image of the cell's atoms, the cell itself first: (global atom index, position)."""
    cell = atoms.cell.array
    faces = atoms.cell.volume / np.linalg.norm(np.cross(cell[[1, 2, 0]], cell[[2, 0, 1]]), axis=1)
    reach = [int(np.ceil(REACH / d)) for d in faces]
    shifts = sorted(((a, b, c) for a in range(-reach[0], reach[0] + 1) for b in range(-reach[1], reach[1] + 1)
                     for c in range(-reach[2], reach[2] + 1)), key=lambda t: t != (0, 0, 0))
    ids = [np.arange(len(atoms)) for _ in shifts]
    pos = [atoms.positions + np.array(t) @ cell for t in shifts]
    return np.concatenate(ids), np.concatenate(pos)


def process_view(atoms, owned):
    """Local atoms `owned`, then every image of any atom within REACH of them (not the owned
    atoms themselves): global ids, positions and full CSR neighbour lists of all of them."""
    ids, pos = images(atoms)
    local_pos = atoms.positions[owned]
    near = cKDTree(local_pos).query_ball_point(pos, REACH)
    keep = [k for k in range(len(ids)) if near[k] and not (k < len(atoms) and k in set(owned))]
    gids = np.concatenate([owned, ids[keep]])
    positions = np.vstack([local_pos, pos[keep]])
    lists = cKDTree(positions).query_ball_point(positions, CUTOFF)
    offsets = np.concatenate([[0], np.cumsum([len(l) - 1 for l in lists])])
    neighbors = np.concatenate([[j for j in sorted(l) if j != i] for i, l in enumerate(lists)])
    return gids, positions, offsets, neighbors


def full(atoms, model):
    return model.evaluate(atoms.numbers, atoms.positions, atoms.cell.array, True, atoms.get_initial_magnetic_moments())


def systems():
    nio = nio_afm2_64()
    nio.rattle(0.04, seed=2)
    tri = triclinic_mno()
    tri.wrap()
    return {"nio": nio, "triclinic-canted": canted(tri)}


@pytest.mark.parametrize("spins", ["fixed", "self-consistent"])
@pytest.mark.parametrize("name", ["nio", "triclinic-canted"])
def test_one_process_with_ghost_owners_equals_evaluate(name, spins):
    atoms = systems()[name]
    atoms.wrap()
    m0 = atoms.get_initial_magnetic_moments()
    reference = full(atoms, Model(str(SHIPPED), spins=spins, threads=1))
    gids, positions, offsets, neighbors = process_view(atoms, np.arange(len(atoms)))
    n = len(atoms)
    r = Model(str(SHIPPED), spins=spins, threads=1).evaluate_local(
        atoms.numbers[gids], positions, m0[gids], n, offsets, neighbors, ghost_owner=gids[n:], tags=gids[:n])
    assert abs(r["energy"] - reference["energy"]) < 1e-9 * abs(reference["energy"])
    forces = np.zeros((n, 3))
    np.add.at(forces, gids, r["forces"])
    assert np.abs(forces - reference["forces"]).max() < 1e-9
    assert np.abs(r["virial"] - reference["virial"]).max() < 1e-8
    assert np.abs(r["moments"] - reference["moments"]).max() < 1e-9
    assert abs(r["atomic_energies"].sum() - r["energy"]) < 1e-9


class Processes:
    """Two threads standing for two MPI ranks: the exchanges meet at barriers."""

    def __init__(self, n):
        self.barrier = threading.Barrier(2)
        self.values = np.zeros((n, 3))
        self.sums = [np.zeros((n, 3)), np.zeros((n, 3))]
        self.maxima = [0.0, 0.0]
        self.parts = [None, None]

    def callbacks(self, rank, gids, local):
        def exchange(values, direction):
            if direction == 0:  # owners' values onto every copy
                self.values[gids[:local]] = values[:local]
                self.barrier.wait()
                values[local:] = self.values[gids[local:]]
                self.barrier.wait()
            else:  # copies' values added onto owners
                self.sums[rank][:] = 0
                np.add.at(self.sums[rank], gids[local:], values[local:])
                self.barrier.wait()
                values[:local] += self.sums[0][gids[:local]] + self.sums[1][gids[:local]]
                values[local:] = 0
                self.barrier.wait()

        def global_max(value):
            self.maxima[rank] = value
            self.barrier.wait()
            result = max(self.maxima)
            self.barrier.wait()
            return result

        def global_sum(values):
            self.parts[rank] = values.copy()
            self.barrier.wait()
            values[:] = self.parts[0] + self.parts[1]
            self.barrier.wait()

        return exchange, global_max, global_sum


@pytest.mark.parametrize("spins", ["fixed", "self-consistent"])
@pytest.mark.parametrize("name", ["nio", "triclinic-canted"])
def test_two_processes_exchanging_ghosts_equal_evaluate(name, spins):
    atoms = systems()[name]
    atoms.wrap()
    n = len(atoms)
    m0 = atoms.get_initial_magnetic_moments()
    tight = {}  # the default tolerances: every process count takes the same iterations (global Anderson)
    reference = full(atoms, Model(str(SHIPPED), spins=spins, threads=1, **tight))
    half = atoms.get_scaled_positions()[:, 0] < 0.5
    owned = [np.flatnonzero(half), np.flatnonzero(~half)]
    world = Processes(n)
    results, errors = [None, None], []

    def rank(k):
        try:
            gids, positions, offsets, neighbors = process_view(atoms, owned[k])
            local = len(owned[k])
            exchange, global_max, global_sum = world.callbacks(k, gids, local)
            r = Model(str(SHIPPED), spins=spins, threads=1, **tight).evaluate_local(
                atoms.numbers[gids], positions, m0[gids], local, offsets, neighbors, tags=gids[:local],
                exchange=exchange, global_max=global_max, global_sum=global_sum)
            results[k] = (gids, local, r)
        except Exception as e:  # reported below
            errors.append(e)
            world.barrier.abort()

    threads = [threading.Thread(target=rank, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    energy = sum(r["energy"] for _, _, r in results)
    forces = np.zeros((n, 3))
    moments = np.zeros(reference["moments"].shape)
    for gids, local, r in results:
        np.add.at(forces, gids, r["forces"])
        moments[gids[:local]] = r["moments"]
    assert abs(energy - reference["energy"]) < 1e-10 * n
    assert np.abs(forces - reference["forces"]).max() < 1e-9
    assert np.abs(moments - reference["moments"]).max() < 1e-9
    virial = sum(r["virial"] for _, _, r in results)
    assert np.abs(virial - reference["virial"]).max() < 1e-8


def test_a_failure_on_one_process_reaches_the_other():
    """Rank 0's input fails its checks (an element the model lacks); rank 1's is fine. Both must
    raise, rank 1 without waiting forever in the first exchange."""
    atoms = systems()["nio"]
    atoms.wrap()
    n = len(atoms)
    half = atoms.get_scaled_positions()[:, 0] < 0.5
    owned = [np.flatnonzero(half), np.flatnonzero(~half)]
    world = Processes(n)
    raised = [None, None]

    def rank(k):
        gids, positions, offsets, neighbors = process_view(atoms, owned[k])
        local = len(owned[k])
        numbers = atoms.numbers[gids].copy()
        if k == 0:
            numbers[0] = 26  # Fe
        exchange, global_max, global_sum = world.callbacks(k, gids, local)
        try:
            Model(str(SHIPPED), threads=1).evaluate_local(numbers, positions, atoms.get_initial_magnetic_moments()[gids], local,
                                                          offsets, neighbors, tags=gids[:local], exchange=exchange,
                                                          global_max=global_max, global_sum=global_sum)
        except Exception as e:
            raised[k] = str(e)

    threads = [threading.Thread(target=rank, args=(k,), daemon=True) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a process is still waiting"
    assert raised[0] and "element Fe" in raised[0], raised
    assert raised[1] and "another process" in raised[1], raised
