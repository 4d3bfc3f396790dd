"""`SpinMultiNetCalculator`: SpinMultiNet as an ASE calculator."""
import numpy as np
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes

from ._library import InvalidArgumentError, Model
from ._models import shipped_model


class SpinMultiNetCalculator(Calculator):
    """SpinMultiNet (spinmd's spin-aware potential) for ASE.

    The spin input is `atoms.get_initial_magnetic_moments()`, shape (N,) (collinear, along z) or
    (N, 3) (vectors) [μB]: a sign pattern and rough magnitudes, as VASP's MAGMOM. With
    spins="self-consistent" (default) the moments are relaxed to m* = S(R, m*) at every call and
    the forces and stress are total derivatives; consecutive calls start from the previous solution
    (reset when the atoms' species or initial moments change).

    Results: energy, free_energy [eV]; energies (N) [eV]; forces (N, 3) [eV/Å]; stress (Voigt, 6)
    [eV/Å³, ASE sign] for 3D-periodic atoms; magmoms [μB] shaped like the initial moments, magmom
    their sum. Extra keys: magmoms_vector (N, 3), committee_energy_std [eV/atom] and
    committee_force_std [eV/Å] (NaN for one model), spin_iterations, adjoint_iterations,
    flipped_atoms.

    model: a model or committee file (default: the shipped NiO/MnO committee); members: 1-based
    committee members (None: all); threads: worker threads per call; tolerance_uB,
    adjoint_tolerance_eV_per_uB, max_iterations, mixing: the self-consistency settings of
    `spinmd run`.
    """

    implemented_properties = ["energy", "free_energy", "energies", "forces", "stress", "magmom", "magmoms"]
    default_parameters = {}

    def __init__(self, model=None, spins="self-consistent", members=None, threads=None, tolerance_uB=None,
                 adjoint_tolerance_eV_per_uB=None, max_iterations=None, mixing=None, **kwargs):
        super().__init__(**kwargs)
        self.model = Model(model if model is not None else shipped_model(), spins=spins, members=members,
                           threads=threads, tolerance_uB=tolerance_uB,
                           adjoint_tolerance_eV_per_uB=adjoint_tolerance_eV_per_uB,
                           max_iterations=max_iterations, mixing=mixing)

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        atoms = self.atoms
        if not atoms.has("initial_magmoms"):
            raise InvalidArgumentError("the atoms have no initial magnetic moments: SpinMultiNet needs them as its spin "
                                       "input (atoms.set_initial_magnetic_moments([...]), a sign pattern and rough "
                                       "magnitudes as VASP's MAGMOM)")
        periodic = bool(atoms.pbc.all())
        if "stress" in properties and not periodic:
            raise PropertyNotImplementedError("stress needs a cell periodic in all three directions")
        # NOTE: forces and stress are computed with every energy (one backward pass more), as
        # MACE's and CHGNet's calculators do: ASE asks for energy and forces in separate calls, and
        # a second self-consistent evaluation would start from the first one's solution and so
        # differ from it within the tolerance.
        r = self.model.evaluate(atoms.numbers, atoms.positions, atoms.cell.array, atoms.pbc,
                                atoms.get_initial_magnetic_moments(), forces=True, virial=periodic)
        moments = r["moments"]
        vectors = moments if moments.ndim == 2 else np.outer(moments, [0.0, 0.0, 1.0])
        self.results = {
            "energy": r["energy"], "free_energy": r["energy"], "energies": r["atomic_energies"],
            "magmoms": moments, "magmom": moments.sum(axis=0), "magmoms_vector": vectors,
            "committee_energy_std": r["energy_spread_per_atom"], "committee_force_std": r["force_spread"],
            "spin_iterations": r["spin_iterations"], "adjoint_iterations": r["adjoint_iterations"],
            "flipped_atoms": r["flipped_atoms"],
        }
        self.results["forces"] = r["forces"]
        if periodic:
            s = -r["virial"] / atoms.get_volume()
            self.results["stress"] = np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])

    def reset_spins(self):
        """Forgets the warm start of the self-consistent spins."""
        self.model.reset_spins()
