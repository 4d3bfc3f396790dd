/*
 * spinmd.h: the C interface of libspinmdc, SpinMultiNet (and the spinmd engine's neighbour
 * lists) for Python, LAMMPS and any C caller. No Swift type crosses it.
 *
 * Units: lengths [Å], energies [eV], forces [eV/Å], virial [eV], magnetic moments [μB].
 * Arrays are C-ordered (row-major) doubles: positions (N, 3); cell (3, 3) whose rows are the
 * lattice vectors; vector moments (N, 3).
 *
 * Errors: every function that can fail returns a spinmd_status; SPINMD_OK is 0. On failure
 * spinmd_last_error() gives the message (per calling thread, valid until that thread's next
 * call into the library). Nothing in the library aborts the host process on bad input.
 *
 * Threads: a handle may be shared between threads; calls on one handle are serialised by a
 * lock inside it. For parallel evaluations use one handle per thread (each keeps its own
 * warm start); the `threads` option sets the worker threads of each evaluation.
 *
 * Versioning: SPINMD_API_VERSION changes when a function or struct of this header changes
 * incompatibly; additions (new functions, new request bits) keep it. Check
 * spinmd_api_version() == SPINMD_API_VERSION after loading the library.
 *
 * Documentation: docs/python.md ("The C library").
 */
#ifndef SPINMD_H
#define SPINMD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPINMD_API_VERSION 1

typedef enum spinmd_status {
    SPINMD_OK = 0,
    /* A null pointer, a count or option out of range, a malformed array. */
    SPINMD_ERROR_INVALID_ARGUMENT = 1,
    /* The model file is missing, unreadable or invalid. */
    SPINMD_ERROR_MODEL_FILE = 2,
    /* An element the model has no parameters for. */
    SPINMD_ERROR_UNSUPPORTED_SPECIES = 3,
    /* The geometry cannot be evaluated (non-finite or far-away positions, collapsed cell). */
    SPINMD_ERROR_GEOMETRY = 4,
    /* The self-consistent spins or their adjoint did not converge. */
    SPINMD_ERROR_NOT_CONVERGED = 5,
    /* The model returned a non-finite energy, force, virial or moment. */
    SPINMD_ERROR_NON_FINITE = 6,
    SPINMD_ERROR_OTHER = 99
} spinmd_status;

/* Spin input at each evaluation. */
typedef enum spinmd_spin_mode {
    /* Spins relaxed to the fixed point m* = S(R, m*), forces the total derivative (default). */
    SPINMD_SPINS_SELF_CONSISTENT = 0,
    /* The initial moments are the spin input, as in training. */
    SPINMD_SPINS_FIXED = 1
} spinmd_spin_mode;

/* What spinmd_evaluate computes (the energy always). */
enum {
    SPINMD_REQUEST_ENERGY = 1 << 0,
    SPINMD_REQUEST_FORCES = 1 << 1,
    SPINMD_REQUEST_VIRIAL = 1 << 2,
    SPINMD_REQUEST_ATOMIC_ENERGIES = 1 << 3,
    SPINMD_REQUEST_MOMENTS = 1 << 4
};

/* Options of spinmd_open. Zero (or NULL) fields take the defaults, so
 * `spinmd_options o = {0};` or passing NULL gives the defaults of `spinmd run`. */
typedef struct spinmd_options {
    /* spinmd_spin_mode; default self-consistent. */
    int32_t spins;
    /* Worker threads of each evaluation; 0: SPINMD_NUM_THREADS, else all cores. */
    int32_t threads;
    /* 1-based members of a committee file to evaluate (NULL: all), member_count entries. */
    const int32_t *members;
    int32_t member_count;
    /* Self-consistent spins: largest |S - m| per atom [μB] (default 1e-4), largest adjoint
     * residual per atom [eV/μB] (default 1e-4), iteration limit (default 200), linear mixing
     * in (0, 1] (default 1). */
    double tolerance_uB;
    double adjoint_tolerance_eV_per_uB;
    int32_t max_iterations;
    double mixing;
} spinmd_options;

/* One structure. The library builds the neighbour list (full list, radius = the model's
 * cutoff) from the positions and the cell. A non-periodic direction whose cell vector is zero
 * (a molecule or slab as ASE stores it) gets a vector orthogonal to the periodic ones. */
typedef struct spinmd_system {
    int64_t atom_count;
    /* (N) atomic numbers. */
    const int32_t *atomic_numbers;
    /* (N, 3) positions [Å]. */
    const double *positions;
    /* (3, 3) cell [Å], rows are the lattice vectors. */
    const double *cell;
    /* (3) periodicity of each cell vector, 0 or 1. */
    const int32_t *pbc;
    /* Initial moments [μB]: (N) collinear values along z when moment_components is 1, or
     * (N, 3) vectors when it is 3. */
    const double *initial_moments;
    int32_t moment_components;
} spinmd_system;

/* Outputs of spinmd_evaluate. Set the pointers of what was requested to caller-owned arrays
 * of the stated sizes; the library fills them and the scalar fields. */
typedef struct spinmd_results {
    /* Potential energy [eV]. */
    double energy;
    /* (N, 3) forces [eV/Å]; SPINMD_REQUEST_FORCES. */
    double *forces;
    /* (3, 3) virial W = -dE/dε [eV] (LAMMPS sign; the ASE stress is -W/V); SPINMD_REQUEST_VIRIAL. */
    double *virial;
    /* (N) per-atom energies [eV], summing to energy; SPINMD_REQUEST_ATOMIC_ENERGIES. */
    double *atomic_energies;
    /* Converged (or, with fixed spins, predicted) moments [μB], shaped like the initial
     * moments: (N) or (N, 3); SPINMD_REQUEST_MOMENTS. */
    double *moments;
    /* Committee spread: RMS over members of the energy per atom [eV/atom] and the largest
     * per-atom RMS force deviation [eV/Å] (this one needs forces); NaN for one model. */
    double energy_spread_per_atom;
    double force_spread;
    /* Self-consistent spins: extra forward passes, backward passes, and atoms whose moment
     * flipped sign against its initial estimate; 0 with fixed spins. */
    int32_t spin_iterations;
    int32_t adjoint_iterations;
    int32_t flipped_atoms;
    /* Wall time inside the library [s]: the whole call (checks, neighbour list, model), and the
     * model alone (what `spinmd run` spends per step in the potential). */
    double seconds;
    double model_seconds;
} spinmd_results;

typedef struct spinmd_model spinmd_model;

/* The library's version (e.g. "0.25.0") and SPINMD_API_VERSION of the build. */
const char *spinmd_version(void);
int32_t spinmd_api_version(void);

/* The message of the calling thread's last failure ("" if none). */
const char *spinmd_last_error(void);

/* Opens a model or committee file (safetensors). options may be NULL. */
spinmd_status spinmd_open(const char *path, const spinmd_options *options, spinmd_model **model);

/* Frees the handle (NULL is ignored). */
void spinmd_close(spinmd_model *model);

/* The model's cutoff [Å]. */
double spinmd_cutoff(const spinmd_model *model);

/* Writes up to `capacity` atomic numbers of the model's species into `out` and returns their
 * count (call with capacity 0 to ask). */
int32_t spinmd_species(const spinmd_model *model, int32_t *out, int32_t capacity);

/* Number of committee members evaluated. */
int32_t spinmd_member_count(const spinmd_model *model);

/* Evaluates `request` (SPINMD_REQUEST_* bits) for `system` into `results`.
 *
 * Self-consistent spins start from an extrapolation of this handle's previous solutions (the
 * warm start of MD), reset when the atom count, the species or the initial moments change
 * and by spinmd_reset_spins. The neighbour list is built to the cutoff + 1 Å and reused while
 * no atom has moved more than 0.5 Å and the cell is the same. */
spinmd_status spinmd_evaluate(spinmd_model *model, const spinmd_system *system, int32_t request, spinmd_results *results);

/* Forgets the warm start: the next evaluation starts from the initial moments. */
void spinmd_reset_spins(spinmd_model *model);

/* ---- Callers that own the neighbour list and the ghost atoms (LAMMPS) ----
 *
 * The atoms are the caller's local (owned) atoms followed by its ghost atoms: periodic images
 * of local atoms, or, in a parallel run, copies of atoms that other processes own. Energies,
 * forces and moments are exact for the local atoms when every atom within 2 × cutoff of a
 * local atom is present (SpinMultiNet passes messages over two layers): LAMMPS's ghost cutoff
 * (`comm_modify cutoff`) must be at least 2 × cutoff + skin. When every ghost's owner is given
 * (`ghost_owner`, one process) the library evaluates the periodic system of the local atoms
 * alone; otherwise it evaluates local and ghost atoms together, and the self-consistent spins
 * exchange the ghosts' moments and cotangents through the callbacks at every iteration. */

/* Directions of spinmd_exchange_fn. */
enum {
    /* Copy each owned atom's values onto its ghost copies (LAMMPS forward communication). */
    SPINMD_EXCHANGE_FORWARD = 0,
    /* Add each ghost's values onto its owner and set the ghost's to zero (reverse communication). */
    SPINMD_EXCHANGE_REVERSE = 1
};

/* Exchanges `components` doubles per atom of `values` ((local + ghost) × components) between
 * processes; returns 0 on success. */
typedef int32_t (*spinmd_exchange_fn)(void *context, double *values, int32_t components, int32_t direction);

/* The largest `value` over all processes (MPI_Allreduce with MPI_MAX); a NaN counts as the largest. */
typedef double (*spinmd_global_max_fn)(void *context, double value);

/* Replaces `values` (count doubles) by their sums over all processes (MPI_Allreduce with
 * MPI_SUM, in place); returns 0 on success. Anderson acceleration of the adjoint iteration
 * takes its inner products with it, so every process count takes the same steps. */
typedef int32_t (*spinmd_global_sum_fn)(void *context, double *values, int32_t count);

typedef struct spinmd_local_system {
    /* Local atoms, then ghost atoms. */
    int64_t local_count;
    int64_t ghost_count;
    /* (local + ghost) atomic numbers. */
    const int32_t *atomic_numbers;
    /* (local + ghost, 3) positions [Å], ghosts at their image positions. */
    const double *positions;
    /* (local + ghost) or (local + ghost, 3) initial moments [μB] (ghosts equal to their owners'). */
    const double *initial_moments;
    int32_t moment_components;
    /* (local) global atom IDs (LAMMPS tags): the warm start follows atoms across re-sorting and
     * migration between processes; NULL: no warm start. */
    const int64_t *tags;
    /* Full neighbour lists of the first `list_count` atoms (at least the local ones):
     * neighbors[neighbor_offsets[i] .. neighbor_offsets[i + 1]) are indices into local + ghost,
     * with pairs beyond the cutoff allowed (they are dropped). Ghost atoms need lists when
     * ghost_owner is NULL or holds -1 (LAMMPS: a full list with ghost neighbours). */
    int64_t list_count;
    const int64_t *neighbor_offsets;
    const int32_t *neighbors;
    /* (ghost) local index of the atom each ghost is an image of, or -1 when another process owns
     * it; NULL when not known. */
    const int32_t *ghost_owner;
    /* Exchange between processes; all three NULL for one process. They are collective: every
     * process calls them in the same order, from the thread that called spinmd_evaluate_local,
     * with at most 3 components per atom. */
    spinmd_exchange_fn exchange;
    spinmd_global_max_fn global_max;
    spinmd_global_sum_fn global_sum;
    void *context;
} spinmd_local_system;

/* Outputs of spinmd_evaluate_local, as spinmd_results (its `virial` is not used: with forces on
 * ghost atoms the caller forms the virial as Σ r ⊗ f over local and ghost atoms, LAMMPS's
 * virial_fdotr_compute). `energy` and `atomic_energies` are those of the local atoms (N = local);
 * `forces` has (local + ghost, 3) entries, to be summed onto the owners by the caller; `moments`
 * (local) or (local, 3). With callbacks, the input checks are collective: when they fail on any
 * process (a process without local atoms among them), every process returns an error. */
spinmd_status spinmd_evaluate_local(spinmd_model *model, const spinmd_local_system *system, int32_t request,
                                    spinmd_results *results);

#ifdef __cplusplus
}
#endif

#endif
