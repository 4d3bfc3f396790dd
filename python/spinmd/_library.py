"""ctypes bindings of libspinmdc (include/spinmd.h) and the `Model` handle over them."""
import ctypes
import os
import threading
from pathlib import Path

import numpy as np

API_VERSION = 1

SPINS = {"self-consistent": 0, "fixed": 1}
REQUEST_ENERGY, REQUEST_FORCES, REQUEST_VIRIAL, REQUEST_ATOMIC_ENERGIES, REQUEST_MOMENTS = 1, 2, 4, 8, 16


class SpinMDError(RuntimeError):
    """A failure reported by libspinmdc; `status` is its spinmd_status code."""

    status = 99

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgumentError(SpinMDError, ValueError):
    status = 1


class ModelFileError(SpinMDError):
    status = 2


class UnsupportedSpeciesError(SpinMDError, ValueError):
    status = 3


class GeometryError(SpinMDError, ValueError):
    status = 4


class NotConvergedError(SpinMDError):
    status = 5


class NonFiniteError(SpinMDError):
    status = 6


_ERRORS = {c.status: c for c in (InvalidArgumentError, ModelFileError, UnsupportedSpeciesError,
                                  GeometryError, NotConvergedError, NonFiniteError)}


class _Options(ctypes.Structure):
    _fields_ = [("spins", ctypes.c_int32), ("threads", ctypes.c_int32),
                ("members", ctypes.POINTER(ctypes.c_int32)), ("member_count", ctypes.c_int32),
                ("tolerance_uB", ctypes.c_double), ("adjoint_tolerance_eV_per_uB", ctypes.c_double),
                ("max_iterations", ctypes.c_int32), ("mixing", ctypes.c_double)]


# NOTE: the array fields are declared void * (the header has typed pointers, same ABI) and set
# from numpy's integer addresses: typed ctypes pointers cost about 10 µs each per call.
class _System(ctypes.Structure):
    _fields_ = [("atom_count", ctypes.c_int64), ("atomic_numbers", ctypes.c_void_p),
                ("positions", ctypes.c_void_p), ("cell", ctypes.c_void_p),
                ("pbc", ctypes.c_void_p), ("initial_moments", ctypes.c_void_p),
                ("moment_components", ctypes.c_int32)]


class _Results(ctypes.Structure):
    _fields_ = [("energy", ctypes.c_double), ("forces", ctypes.c_void_p),
                ("virial", ctypes.c_void_p), ("atomic_energies", ctypes.c_void_p),
                ("moments", ctypes.c_void_p), ("energy_spread_per_atom", ctypes.c_double),
                ("force_spread", ctypes.c_double), ("spin_iterations", ctypes.c_int32),
                ("adjoint_iterations", ctypes.c_int32), ("flipped_atoms", ctypes.c_int32), ("seconds", ctypes.c_double),
                ("model_seconds", ctypes.c_double)]


EXCHANGE_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int32, ctypes.c_int32)
GLOBAL_MAX_FN = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_void_p, ctypes.c_double)
GLOBAL_SUM_FN = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.POINTER(ctypes.c_double), ctypes.c_int32)


class _LocalSystem(ctypes.Structure):
    _fields_ = [("local_count", ctypes.c_int64), ("ghost_count", ctypes.c_int64), ("atomic_numbers", ctypes.c_void_p),
                ("positions", ctypes.c_void_p), ("initial_moments", ctypes.c_void_p), ("moment_components", ctypes.c_int32),
                ("tags", ctypes.c_void_p), ("list_count", ctypes.c_int64), ("neighbor_offsets", ctypes.c_void_p),
                ("neighbors", ctypes.c_void_p), ("ghost_owner", ctypes.c_void_p), ("exchange", EXCHANGE_FN),
                ("global_max", GLOBAL_MAX_FN), ("global_sum", GLOBAL_SUM_FN), ("context", ctypes.c_void_p)]


def library_path() -> Path:
    """SPINMD_LIBRARY if set, else the library installed with this package."""
    override = os.environ.get("SPINMD_LIBRARY")
    return Path(override) if override else Path(__file__).resolve().parent / "lib" / "libspinmdc.so"


_lib = None
_lib_lock = threading.Lock()


def library() -> ctypes.CDLL:
    """The loaded libspinmdc, with its functions' signatures declared (loaded once)."""
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        path = library_path()
        if not path.is_file():
            raise SpinMDError(f"libspinmdc.so not found at {path}: reinstall with `pip install ./python` "
                              "from the spinmd repository, or set SPINMD_LIBRARY")
        lib = ctypes.CDLL(str(path))
        lib.spinmd_version.restype = ctypes.c_char_p
        lib.spinmd_api_version.restype = ctypes.c_int32
        lib.spinmd_last_error.restype = ctypes.c_char_p
        lib.spinmd_open.argtypes = [ctypes.c_char_p, ctypes.POINTER(_Options), ctypes.POINTER(ctypes.c_void_p)]
        lib.spinmd_open.restype = ctypes.c_int
        lib.spinmd_close.argtypes = [ctypes.c_void_p]
        lib.spinmd_close.restype = None
        lib.spinmd_cutoff.argtypes = [ctypes.c_void_p]
        lib.spinmd_cutoff.restype = ctypes.c_double
        lib.spinmd_species.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32), ctypes.c_int32]
        lib.spinmd_species.restype = ctypes.c_int32
        lib.spinmd_member_count.argtypes = [ctypes.c_void_p]
        lib.spinmd_member_count.restype = ctypes.c_int32
        lib.spinmd_evaluate.argtypes = [ctypes.c_void_p, ctypes.POINTER(_System), ctypes.c_int32, ctypes.POINTER(_Results)]
        lib.spinmd_evaluate.restype = ctypes.c_int
        lib.spinmd_evaluate_local.argtypes = [ctypes.c_void_p, ctypes.POINTER(_LocalSystem), ctypes.c_int32, ctypes.POINTER(_Results)]
        lib.spinmd_evaluate_local.restype = ctypes.c_int
        lib.spinmd_reset_spins.argtypes = [ctypes.c_void_p]
        lib.spinmd_reset_spins.restype = None
        if lib.spinmd_api_version() != API_VERSION:
            raise SpinMDError(f"{path} has C interface version {lib.spinmd_api_version()}; this package needs {API_VERSION}")
        _lib = lib
        return lib


def version() -> str:
    """The version of the loaded library."""
    return library().spinmd_version().decode()


def _check(status):
    if status != 0:
        message = library().spinmd_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(status, SpinMDError)(message, status)


class Model:
    """A SpinMultiNet model (or committee) loaded by libspinmdc: one handle, with its own warm start.

    spins: "self-consistent" (m* = S(R, m*) at every call, forces the total derivative) or
    "fixed" (the initial moments are the spin input). members: 1-based committee members, None for
    all. threads: worker threads per call (None: SPINMD_NUM_THREADS, else all cores). The
    tolerances and iteration settings are those of `spinmd run` (docs/input-format.md); None keeps
    the defaults.
    """

    def __init__(self, path, spins="self-consistent", members=None, threads=None, tolerance_uB=None,
                 adjoint_tolerance_eV_per_uB=None, max_iterations=None, mixing=None):
        lib = library()
        if spins not in SPINS:
            raise InvalidArgumentError(f"spins: expected 'self-consistent' or 'fixed', got {spins!r}")
        options = _Options(spins=SPINS[spins], threads=int(threads or 0), tolerance_uB=tolerance_uB or 0.0,
                           adjoint_tolerance_eV_per_uB=adjoint_tolerance_eV_per_uB or 0.0,
                           max_iterations=int(max_iterations or 0), mixing=mixing or 0.0)
        if members is not None:
            self._members = np.ascontiguousarray(list(members), dtype=np.int32)
            options.members = self._members.ctypes.data_as(ctypes.POINTER(ctypes.c_int32))
            options.member_count = len(self._members)
            if len(self._members) == 0:
                raise InvalidArgumentError("members: give at least one member number, or None for all")
        self.path = str(path)
        self.spins = spins
        handle = ctypes.c_void_p()
        _check(lib.spinmd_open(os.fsencode(self.path), ctypes.byref(options), ctypes.byref(handle)))
        self._handle = handle
        self._lib = lib

    def close(self):
        """Frees the handle (also done when the object is collected)."""
        if getattr(self, "_handle", None):
            self._lib.spinmd_close(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _live(self):
        if not self._handle:
            raise SpinMDError("the model was closed")
        return self._handle

    @property
    def cutoff(self) -> float:
        """The model's cutoff [Å]."""
        return self._lib.spinmd_cutoff(self._live())

    @property
    def species(self):
        """Atomic numbers the model has parameters for."""
        n = self._lib.spinmd_species(self._live(), None, 0)
        out = (ctypes.c_int32 * n)()
        self._lib.spinmd_species(self._live(), out, n)
        return list(out)

    @property
    def member_count(self) -> int:
        return self._lib.spinmd_member_count(self._live())

    def reset_spins(self):
        """Forgets the warm start: the next call starts from the initial moments."""
        self._lib.spinmd_reset_spins(self._live())

    def evaluate(self, numbers, positions, cell, pbc, initial_moments, forces=True, virial=True,
                 atomic_energies=True, moments=True):
        """Energy [eV] and what is asked: forces (N, 3) [eV/Å], virial (3, 3) [eV] (W = −dE/dε),
        atomic_energies (N) [eV], moments [μB] shaped like initial_moments ((N) or (N, 3)); plus the
        committee spread, the iteration counts and the library's time [s] (`seconds`: the whole call,
        `model_seconds`: the network alone), in a dict."""
        numbers = np.ascontiguousarray(numbers, dtype=np.int32)
        n = len(numbers)
        positions = np.ascontiguousarray(positions, dtype=np.float64)
        cell = np.ascontiguousarray(cell, dtype=np.float64)
        pbc = np.asarray(pbc, dtype=bool)
        pbc = (np.repeat(pbc, 3) if pbc.ndim == 0 else pbc).astype(np.int32)  # (np.broadcast_to costs 60 µs)
        if initial_moments is None:
            raise InvalidArgumentError("SpinMultiNet needs initial magnetic moments (a sign pattern and rough magnitudes, as VASP's MAGMOM)")
        m0 = np.ascontiguousarray(initial_moments, dtype=np.float64)
        if positions.shape != (n, 3):
            raise InvalidArgumentError(f"positions have shape {positions.shape}; expected ({n}, 3)")
        if cell.shape != (3, 3):
            raise InvalidArgumentError(f"cell has shape {cell.shape}; expected (3, 3)")
        if m0.shape not in ((n,), (n, 3)):
            raise InvalidArgumentError(f"initial moments have shape {m0.shape}; expected ({n},) or ({n}, 3)")
        system = _System(n, numbers.ctypes.data, positions.ctypes.data, cell.ctypes.data, pbc.ctypes.data,
                         m0.ctypes.data, 1 if m0.ndim == 1 else 3)
        results = _Results()
        out = {}
        request = REQUEST_ENERGY
        for flag, key, shape, bit in [(forces, "forces", (n, 3), REQUEST_FORCES), (virial, "virial", (3, 3), REQUEST_VIRIAL),
                                      (atomic_energies, "atomic_energies", (n,), REQUEST_ATOMIC_ENERGIES),
                                      (moments, "moments", m0.shape, REQUEST_MOMENTS)]:
            if flag:
                out[key] = np.empty(shape, dtype=np.float64)
                setattr(results, key, out[key].ctypes.data)
                request |= bit
        _check(self._lib.spinmd_evaluate(self._live(), ctypes.byref(system), request, ctypes.byref(results)))
        out.update(energy=results.energy, energy_spread_per_atom=results.energy_spread_per_atom,
                   force_spread=results.force_spread, spin_iterations=results.spin_iterations,
                   adjoint_iterations=results.adjoint_iterations, flipped_atoms=results.flipped_atoms,
                   seconds=results.seconds, model_seconds=results.model_seconds)
        return out

    def evaluate_local(self, numbers, positions, initial_moments, local_count, neighbor_offsets, neighbors,
                       ghost_owner=None, tags=None, exchange=None, global_max=None, global_sum=None):
        """`spinmd_evaluate_local`: local atoms followed by ghost atoms, the caller's full neighbour
        lists (CSR: `neighbors[neighbor_offsets[i]:neighbor_offsets[i + 1]]`, for the first
        len(neighbor_offsets) − 1 atoms), `ghost_owner` (local index of each ghost's owner, −1 if
        another process owns it) or the callbacks `exchange(values (n, 3) array, direction)` (0 forward:
        owners' values onto ghosts; 1 reverse: ghosts' added onto owners, ghosts zeroed) and
        `global_max(value) -> float` and `global_sum(values)` (in place, a 1-D array) of a parallel
        caller. Returns energy (local atoms), forces on
        every atom (n, 3) to be summed onto owners, virial [eV], atomic energies and moments of the
        local atoms, and the counts, in a dict. This is the entry point of the LAMMPS plugin
        (docs/lammps.md); Python users want `evaluate`."""
        numbers = np.ascontiguousarray(numbers, dtype=np.int32)
        n = len(numbers)
        positions = np.ascontiguousarray(positions, dtype=np.float64)
        m0 = np.ascontiguousarray(initial_moments, dtype=np.float64)
        offsets = np.ascontiguousarray(neighbor_offsets, dtype=np.int64)
        neigh = np.ascontiguousarray(neighbors, dtype=np.int32)
        owner = None if ghost_owner is None else np.ascontiguousarray(ghost_owner, dtype=np.int32)
        tag_array = None if tags is None else np.ascontiguousarray(tags, dtype=np.int64)
        if positions.shape != (n, 3) or m0.shape not in ((n,), (n, 3)):
            raise InvalidArgumentError(f"positions {positions.shape} and initial moments {m0.shape} do not match {n} atoms")
        callbacks = []
        if exchange is not None:
            def exchange_c(_context, values, components, direction):
                try:
                    view = np.ctypeslib.as_array(values, shape=(n * components,)).reshape(n, components)
                    exchange(view, direction)
                    return 0
                except Exception:  # a Python error must not cross into the library
                    return 1
            def sum_c(_context, values, count):
                try:
                    global_sum(np.ctypeslib.as_array(values, shape=(count,)))
                    return 0
                except Exception:
                    return 1
            callbacks = [EXCHANGE_FN(exchange_c), GLOBAL_MAX_FN(lambda _context, value: float(global_max(value))),
                         GLOBAL_SUM_FN(sum_c)]
        system = _LocalSystem(local_count, n - local_count, numbers.ctypes.data, positions.ctypes.data, m0.ctypes.data,
                              1 if m0.ndim == 1 else 3, None if tag_array is None else tag_array.ctypes.data,
                              len(offsets) - 1, offsets.ctypes.data, neigh.ctypes.data,
                              None if owner is None else owner.ctypes.data, *(callbacks or [EXCHANGE_FN(), GLOBAL_MAX_FN(), GLOBAL_SUM_FN()]), None)
        out = {"forces": np.zeros((n, 3)), "virial": np.zeros((3, 3)), "atomic_energies": np.zeros(local_count),
               "moments": np.zeros((local_count,) + m0.shape[1:])}
        results = _Results()
        for key in out:
            setattr(results, key, out[key].ctypes.data)
        _check(self._lib.spinmd_evaluate_local(self._live(), ctypes.byref(system), 31, ctypes.byref(results)))
        out.update(energy=results.energy, spin_iterations=results.spin_iterations, adjoint_iterations=results.adjoint_iterations,
                   energy_spread_per_atom=results.energy_spread_per_atom)
        return out
