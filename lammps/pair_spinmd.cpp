/* pair_style spinmd: see pair_spinmd.h and docs/lammps.md. */
#include "pair_spinmd.h"

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"

#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <exception>

using namespace LAMMPS_NS;

namespace {

// Element symbols by atomic number (index 0 unused).
const char *const ELEMENTS[] = {
    "",   "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si", "P",  "S",
    "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As",
    "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
    "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho",
    "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",  "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po",
    "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md",
    "No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};
const int ELEMENT_COUNT = sizeof(ELEMENTS) / sizeof(ELEMENTS[0]);

int atomic_number(const std::string &symbol)
{
  for (int z = 1; z < ELEMENT_COUNT; z++)
    if (symbol == ELEMENTS[z]) return z;
  return 0;
}

std::string element_symbol(int z)
{
  return (z > 0 && z < ELEMENT_COUNT) ? ELEMENTS[z] : "Z=" + std::to_string(z);
}

// Largest number of doubles per atom moved by one forward or reverse communication; larger
// exchanges are split. comm_forward and comm_reverse are set to it.
const int MAX_COMM_COMPONENTS = 3;

// The library's callbacks. They must not let a C++ exception (a LAMMPS error) unwind through
// the library's frames: it is reported as a failed exchange instead.
int32_t exchange_callback(void *context, double *values, int32_t components, int32_t direction)
{
  try {
    return static_cast<PairSpinMD *>(context)->exchange(values, components, direction);
  } catch (...) {
    return 1;
  }
}

double global_max_callback(void *context, double value)
{
  try {
    return static_cast<PairSpinMD *>(context)->global_max(value);
  } catch (...) {
    return INFINITY;
  }
}

int32_t global_sum_callback(void *context, double *values, int32_t count)
{
  try {
    return static_cast<PairSpinMD *>(context)->global_sum(values, count);
  } catch (...) {
    return 1;
  }
}

// "d_NAME" → (vector, NAME), "d2_NAME" → (array, NAME); false otherwise.
bool parse_property(const std::string &arg, bool &array, std::string &name)
{
  if (arg.rfind("d2_", 0) == 0 && arg.size() > 3) {
    array = true;
    name = arg.substr(3);
    return true;
  }
  if (arg.rfind("d_", 0) == 0 && arg.size() > 2) {
    array = false;
    name = arg.substr(2);
    return true;
  }
  return false;
}

}    // namespace

/* ---------------------------------------------------------------------- */

PairSpinMD::PairSpinMD(LAMMPS *lmp) :
    Pair(lmp), model(nullptr), cutoff(0.0), spin_mode(SPINMD_SPINS_SELF_CONSISTENT), threads(0),
    moments_source(MOMENTS_VECTOR), moments_name("m0"), moments_explicit(0), output_source(MOMENTS_NONE),
    comm_values(nullptr), comm_stride(0), comm_first(0), comm_count(0)
{
  single_enable = 0;
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  ghostneigh = 1;    // neighbour lists of ghost atoms too (REQ_GHOST)
  no_virial_fdotr_compute = 0;    // the virial is Σ r ⊗ f over local and ghost atoms
  comm_forward = MAX_COMM_COMPONENTS;
  comm_reverse = MAX_COMM_COMPONENTS;
  nextra = 2;    // `compute pair spinmd`: spin iterations, adjoint iterations of the last call
  pvector = new double[nextra];
  for (int k = 0; k < nextra; k++) pvector[k] = 0.0;
}

PairSpinMD::~PairSpinMD()
{
  if (copymode) return;
  close_model();
  delete[] pvector;
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
    memory->destroy(cutghost);
  }
}

void PairSpinMD::close_model()
{
  spinmd_close(model);
  model = nullptr;
}

void PairSpinMD::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  memory->create(cutghost, n + 1, n + 1, "pair:cutghost");
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 0;
  type_z.assign(n + 1, 0);
}

/* ----------------------------------------------------------------------
   pair_style spinmd MODEL [keyword value ...]
------------------------------------------------------------------------- */

void PairSpinMD::settings(int narg, char **arg)
{
  if (narg < 1)
    error->all(FLERR, "spinmd: usage: pair_style spinmd MODEL.safetensors [spins self-consistent|fixed] "
                      "[members I J ...] [threads N] [moments d_NAME|d2_NAME|spin] [output d_NAME|d2_NAME] "
                      "[tolerance X] [adjoint_tolerance X] [max_iterations N] [mixing X]");
  if (spinmd_api_version() != SPINMD_API_VERSION)
    error->all(FLERR, "spinmd: libspinmdc.so {} has C interface version {}, this plugin was built for {}: "
               "rebuild the plugin (lammps/build.sh)", spinmd_version(), spinmd_api_version(), SPINMD_API_VERSION);

  spinmd_options options;
  std::memset(&options, 0, sizeof(options));
  std::vector<int32_t> members;
  spin_mode = SPINMD_SPINS_SELF_CONSISTENT;
  moments_source = MOMENTS_VECTOR;
  moments_name = "m0";
  moments_explicit = 0;
  output_source = MOMENTS_NONE;
  output_name.clear();

  model_path = arg[0];
  int iarg = 1;
  auto value_of = [&](const char *keyword) -> std::string {
    if (iarg + 1 >= narg) error->all(FLERR, "spinmd: pair_style keyword {} needs a value", keyword);
    return arg[iarg + 1];
  };
  while (iarg < narg) {
    const std::string keyword = arg[iarg];
    if (keyword == "spins") {
      const std::string value = value_of("spins");
      if (value == "self-consistent")
        spin_mode = SPINMD_SPINS_SELF_CONSISTENT;
      else if (value == "fixed")
        spin_mode = SPINMD_SPINS_FIXED;
      else
        error->all(FLERR, "spinmd: spins must be self-consistent or fixed, not {}", value);
      iarg += 2;
    } else if (keyword == "members") {
      iarg++;
      members.clear();
      while (iarg < narg && utils::is_integer(arg[iarg])) {
        const int member = utils::inumeric(FLERR, arg[iarg], false, lmp);
        if (member < 1) error->all(FLERR, "spinmd: members are 1-based, not {}", member);
        members.push_back(member);
        iarg++;
      }
      if (members.empty()) error->all(FLERR, "spinmd: members needs at least one 1-based member number");
    } else if (keyword == "threads") {
      options.threads = utils::inumeric(FLERR, value_of("threads"), false, lmp);
      if (options.threads < 0) error->all(FLERR, "spinmd: threads must be >= 0 (0: SPINMD_NUM_THREADS, else all cores)");
      iarg += 2;
    } else if (keyword == "moments") {
      const std::string value = value_of("moments");
      bool array = false;
      if (value == "spin") {
        moments_source = MOMENTS_SPIN;
        moments_name.clear();
      } else if (parse_property(value, array, moments_name)) {
        moments_source = array ? MOMENTS_ARRAY : MOMENTS_VECTOR;
      } else {
        error->all(FLERR, "spinmd: moments must be d_NAME, d2_NAME or spin, not {}", value);
      }
      moments_explicit = 1;
      iarg += 2;
    } else if (keyword == "output") {
      const std::string value = value_of("output");
      bool array = false;
      if (!parse_property(value, array, output_name))
        error->all(FLERR, "spinmd: output must be d_NAME or d2_NAME (a fix property/atom), not {}", value);
      output_source = array ? MOMENTS_ARRAY : MOMENTS_VECTOR;
      iarg += 2;
    } else if (keyword == "tolerance") {
      options.tolerance_uB = utils::numeric(FLERR, value_of("tolerance"), false, lmp);
      if (!(options.tolerance_uB > 0.0)) error->all(FLERR, "spinmd: tolerance must be > 0 [μB]");
      iarg += 2;
    } else if (keyword == "adjoint_tolerance") {
      options.adjoint_tolerance_eV_per_uB = utils::numeric(FLERR, value_of("adjoint_tolerance"), false, lmp);
      if (!(options.adjoint_tolerance_eV_per_uB > 0.0))
        error->all(FLERR, "spinmd: adjoint_tolerance must be > 0 [eV/μB]");
      iarg += 2;
    } else if (keyword == "max_iterations") {
      options.max_iterations = utils::inumeric(FLERR, value_of("max_iterations"), false, lmp);
      if (options.max_iterations < 1) error->all(FLERR, "spinmd: max_iterations must be >= 1");
      iarg += 2;
    } else if (keyword == "mixing") {
      options.mixing = utils::numeric(FLERR, value_of("mixing"), false, lmp);
      if (!(options.mixing > 0.0 && options.mixing <= 1.0)) error->all(FLERR, "spinmd: mixing must be in (0, 1]");
      iarg += 2;
    } else {
      error->all(FLERR, "spinmd: unknown pair_style keyword {}", keyword);
    }
  }
  if (output_source != MOMENTS_NONE && moments_source != MOMENTS_SPIN && output_source == moments_source &&
      output_name == moments_name)
    error->all(FLERR, "spinmd: output must not be the moments property itself (the initial moments would change "
                      "every step): give it another name");

  threads = options.threads;
  options.spins = spin_mode;
  options.members = members.empty() ? nullptr : members.data();
  options.member_count = static_cast<int32_t>(members.size());

  // A repeated pair_style spinmd replaces the model.
  close_model();
  spinmd_model *opened = nullptr;
  const spinmd_status status = spinmd_open(model_path.c_str(), &options, &opened);
  if (status != SPINMD_OK) {
    const std::string message = spinmd_last_error();
    library_failure(message.find(model_path) == std::string::npos ? "cannot open model " + model_path : "cannot open the model",
                    message);
  }
  model = opened;
  cutoff = spinmd_cutoff(model);
  if (!(cutoff > 0.0)) error->all(FLERR, "spinmd: model {} reports cutoff {}", model_path, cutoff);

  if (comm->me == 0) {
    std::vector<int32_t> species(std::max(spinmd_species(model, nullptr, 0), 0));
    spinmd_species(model, species.data(), static_cast<int32_t>(species.size()));
    std::string names;
    for (int32_t z : species) names += (names.empty() ? "" : " ") + element_symbol(z);
    utils::logmesg(lmp, "spinmd {}: model {}, {} member(s), cutoff {} Å, species {}, {} spins\n", spinmd_version(),
                   model_path, spinmd_member_count(model), cutoff, names,
                   spin_mode == SPINMD_SPINS_FIXED ? "fixed" : "self-consistent");
  }
}

/* ----------------------------------------------------------------------
   pair_coeff * * ELEMENT ...  (one element symbol per atom type)
------------------------------------------------------------------------- */

void PairSpinMD::coeff(int narg, char **arg)
{
  if (model == nullptr) error->all(FLERR, "spinmd: pair_coeff before a model was opened by pair_style spinmd");
  if (!allocated) allocate();
  const int ntypes = atom->ntypes;
  if (narg != 2 + ntypes || std::strcmp(arg[0], "*") != 0 || std::strcmp(arg[1], "*") != 0)
    error->all(FLERR, "spinmd: usage: pair_coeff * * followed by one element symbol per atom type ({} types)",
               ntypes);

  std::vector<int32_t> species(std::max(spinmd_species(model, nullptr, 0), 0));
  spinmd_species(model, species.data(), static_cast<int32_t>(species.size()));
  std::string known;
  for (int32_t z : species) known += (known.empty() ? "" : ", ") + element_symbol(z);

  for (int type = 1; type <= ntypes; type++) {
    const std::string symbol = arg[1 + type];
    if (symbol == "NULL")
      error->all(FLERR, "spinmd: NULL in pair_coeff is not supported (pair_style hybrid is not supported): "
                        "give every type an element");
    const int z = atomic_number(symbol);
    if (z == 0) error->all(FLERR, "spinmd: unknown element {} for atom type {} in pair_coeff", symbol, type);
    if (std::find(species.begin(), species.end(), z) == species.end())
      error->all(FLERR, "spinmd: model {} has no parameters for element {} (atom type {}); its species: {}",
                 model_path, symbol, type, known);
    type_z[type] = z;
  }
  for (int i = 1; i <= ntypes; i++)
    for (int j = i; j <= ntypes; j++) setflag[i][j] = 1;
}

/* ---------------------------------------------------------------------- */

void PairSpinMD::init_style()
{
  if (model == nullptr) error->all(FLERR, "spinmd: no model (pair_style spinmd MODEL)");
  if (std::strcmp(update->unit_style, "metal") != 0)
    error->all(FLERR, "spinmd: pair_style spinmd needs units metal (Å, eV, ps), not units {}", update->unit_style);
  if (force->newton_pair == 0) error->all(FLERR, "spinmd: pair_style spinmd needs newton pair on");
  if (atom->tag_enable == 0) error->all(FLERR, "spinmd: pair_style spinmd needs atom IDs");
  if (comm->mode != Comm::SINGLE)
    error->all(FLERR, "spinmd: pair_style spinmd needs comm_modify mode single (one ghost cutoff)");

  // Check the moment properties now, with a message saying what to define.
  if (moments_source == MOMENTS_SPIN) {
    if (!atom->sp_flag) error->all(FLERR, "spinmd: moments spin needs atom_style spin");
  } else if (!moments_explicit && atom->sp_flag) {
    int flag = 0, cols = 0;
    if (atom->find_custom(moments_name.c_str(), flag, cols) < 0) moments_source = MOMENTS_SPIN;
  }
  if (moments_source != MOMENTS_SPIN) check_moment_property(moments_source, moments_name, "moments");
  if (output_source != MOMENTS_NONE) check_moment_property(output_source, output_name, "output");
  if (output_source != MOMENTS_NONE && output_source != (moment_components() == 3 ? MOMENTS_ARRAY : MOMENTS_VECTOR))
    error->all(FLERR, "spinmd: output {}{} must have the shape of the initial moments ({})",
               output_source == MOMENTS_ARRAY ? "d2_" : "d_", output_name,
               moment_components() == 3 ? "d2_NAME with 3 columns" : "d_NAME");

  // Two message-passing layers: every atom within 2 × cutoff of a local atom must be a ghost.
  const double needed = 2.0 * cutoff + neighbor->skin;
  if (comm->cutghostuser < needed) {
    if (comm->me == 0)
      error->warning(FLERR, "spinmd: setting the ghost cutoff (comm_modify cutoff) to 2 × cutoff + skin = {} Å "
                     "(was {} Å)", needed, comm->cutghostuser);
    comm->cutghostuser = needed;
  }

  if (comm->nprocs > 1 && threads == 0 && std::getenv("SPINMD_NUM_THREADS") == nullptr && comm->me == 0)
    error->warning(FLERR, "spinmd: {} processes each evaluate with all cores: give pair_style spinmd ... threads N "
                   "(processes × threads ≤ cores) or set SPINMD_NUM_THREADS", comm->nprocs);

  neighbor->add_request(this, NeighConst::REQ_FULL | NeighConst::REQ_GHOST);
}

double PairSpinMD::init_one(int i, int j)
{
  if (setflag[i][j] == 0) error->all(FLERR, "spinmd: all pair coeffs are not set (pair_coeff * * ELEMENT ...)");
  cutghost[i][j] = cutghost[j][i] = cutoff;
  return cutoff;
}

/* ---------------------------------------------------------------------- */

int PairSpinMD::moment_components() const
{
  return moments_source == MOMENTS_VECTOR ? 1 : 3;
}

void PairSpinMD::check_moment_property(MomentSource source, const std::string &name, const char *role)
{
  int flag = -1, cols = -1;
  const int index = atom->find_custom(name.c_str(), flag, cols);
  const bool array = source == MOMENTS_ARRAY;
  const std::string spelled = (array ? "d2_" : "d_") + name;
  const std::string define = "fix ID all property/atom " + spelled + (array ? " 3" : "");
  std::string what = std::strcmp(role, "moments") == 0
      ? std::string(" for the initial moments [μB]") + (array ? " (3 columns, vectors)" : " (collinear, along z)")
      : std::string(" for the converged moments (output)");
  if (index < 0)
    error->all(FLERR, "spinmd: no per-atom property {}{}: define it with `{}`{}", spelled, what, define,
               std::strcmp(role, "moments") == 0 ? " and set it (set, or a data file section via read_data ... fix ID "
                                                   "NULL SECTION), or use `moments spin` with atom_style spin"
                                                 : "");
  if (flag != 1 || (array ? cols != 3 : cols != 0))
    error->all(FLERR, "spinmd: per-atom property {} must be a {}{}: `{}`", spelled,
               array ? "double array with 3 columns" : "double vector", what, define);
}

// Local values from the property (or the spins), then copied onto the ghosts by a forward
// communication, so the property needs no `ghost yes`.
void PairSpinMD::gather_initial_moments(int nlocal, int nall)
{
  const int c = moment_components();
  initial_moments.assign(static_cast<size_t>(nall) * c, 0.0);
  if (moments_source == MOMENTS_SPIN) {
    double **sp = atom->sp;
    for (int i = 0; i < nlocal; i++)
      for (int k = 0; k < 3; k++) initial_moments[3 * i + k] = sp[i][k] * sp[i][3];
  } else {
    int flag = 0, cols = 0;
    const int index = atom->find_custom(moments_name.c_str(), flag, cols);
    if (index < 0) check_moment_property(moments_source, moments_name, "moments");
    if (moments_source == MOMENTS_VECTOR) {
      const double *values = atom->dvector[index];
      for (int i = 0; i < nlocal; i++) initial_moments[i] = values[i];
    } else {
      double **values = atom->darray[index];
      for (int i = 0; i < nlocal; i++)
        for (int k = 0; k < 3; k++) initial_moments[3 * i + k] = values[i][k];
    }
  }
  // Collective: every process calls it, with or without ghosts.
  if (exchange(initial_moments.data(), c, SPINMD_EXCHANGE_FORWARD) != 0)
    error->one(FLERR, "spinmd: forward communication of the initial moments failed");
}

void PairSpinMD::scatter_moments(int nlocal)
{
  if (output_source == MOMENTS_NONE) return;
  int flag = 0, cols = 0;
  const int index = atom->find_custom(output_name.c_str(), flag, cols);
  if (index < 0) check_moment_property(output_source, output_name, "output");
  if (output_source == MOMENTS_VECTOR) {
    double *values = atom->dvector[index];
    for (int i = 0; i < nlocal; i++) values[i] = moments[i];
  } else {
    double **values = atom->darray[index];
    for (int i = 0; i < nlocal; i++)
      for (int k = 0; k < 3; k++) values[i][k] = moments[3 * i + k];
  }
}

// The full list with ghost neighbours as CSR in atom-index order: row i is atom i, local or
// ghost; atoms the list has no row for get an empty one.
void PairSpinMD::build_neighbors(int nlocal, int nall)
{
  const int rows = list->inum + list->gnum;
  if (list->inum != nlocal)
    error->one(FLERR, "spinmd: the neighbour list has {} local atoms, not {} (neigh_modify include is not supported)",
               list->inum, nlocal);
  offsets.assign(static_cast<size_t>(nall) + 1, 0);
  for (int ii = 0; ii < rows; ii++) {
    const int i = list->ilist[ii];
    offsets[i + 1] = list->numneigh[i];
  }
  for (int i = 0; i < nall; i++) offsets[i + 1] += offsets[i];
  neighbors.resize(offsets[nall]);
  for (int ii = 0; ii < rows; ii++) {
    const int i = list->ilist[ii];
    const int *row = list->firstneigh[i];
    int32_t *out = neighbors.data() + offsets[i];
    for (int k = 0; k < list->numneigh[i]; k++) out[k] = row[k] & NEIGHMASK;
  }
}

// One process: every ghost is a periodic image of a local atom, found by its tag.
void PairSpinMD::build_ghost_owners(int nlocal, int nall)
{
  const tagint *tag = atom->tag;
  tagint max_tag = 0;
  for (int i = 0; i < nlocal; i++) max_tag = std::max(max_tag, tag[i]);
  owner_of_tag.assign(static_cast<size_t>(max_tag) + 1, -1);
  for (int i = 0; i < nlocal; i++) owner_of_tag[tag[i]] = i;
  ghost_owner.resize(nall - nlocal);
  for (int j = nlocal; j < nall; j++) {
    const tagint t = tag[j];
    const int owner = (t >= 0 && t <= max_tag) ? owner_of_tag[t] : -1;
    if (owner < 0) error->one(FLERR, "spinmd: ghost atom {} (ID {}) has no local owner on one process", j, t);
    ghost_owner[j - nlocal] = owner;
  }
}

/* ---------------------------------------------------------------------- */

void PairSpinMD::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  if (vflag_atom || cvflag_atom)
    error->all(FLERR, "spinmd: per-atom virials (compute stress/atom, centroid/stress/atom) are not supported");
  if (vflag_global && !vflag_fdotr)
    error->all(FLERR, "spinmd: the global virial needs the f·r sum (newton pair on)");

  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  const int c = moment_components();

  numbers.resize(nall);
  const int *type = atom->type;
  for (int i = 0; i < nall; i++) numbers[i] = type_z[type[i]];
  tags.resize(nlocal);
  for (int i = 0; i < nlocal; i++) tags[i] = atom->tag[i];
  gather_initial_moments(nlocal, nall);
  build_neighbors(nlocal, nall);
  const bool one_process = comm->nprocs == 1;
  if (one_process) build_ghost_owners(nlocal, nall);

  spinmd_local_system system;
  std::memset(&system, 0, sizeof(system));
  system.local_count = nlocal;
  system.ghost_count = nall - nlocal;
  system.atomic_numbers = numbers.data();
  system.positions = nall > 0 ? &atom->x[0][0] : nullptr;
  system.initial_moments = initial_moments.data();
  system.moment_components = c;
  system.tags = tags.data();
  system.list_count = nall;
  system.neighbor_offsets = offsets.data();
  system.neighbors = neighbors.data();
  system.ghost_owner = one_process ? ghost_owner.data() : nullptr;
  system.exchange = one_process ? nullptr : exchange_callback;
  system.global_max = one_process ? nullptr : global_max_callback;
  system.global_sum = one_process ? nullptr : global_sum_callback;
  system.context = this;

  int32_t request = SPINMD_REQUEST_ENERGY | SPINMD_REQUEST_FORCES | SPINMD_REQUEST_MOMENTS;
  if (eflag_atom) request |= SPINMD_REQUEST_ATOMIC_ENERGIES;
  forces.assign(static_cast<size_t>(nall) * 3, 0.0);
  moments.assign(static_cast<size_t>(nlocal) * c, 0.0);
  atomic_energies.assign(eflag_atom ? nlocal : 0, 0.0);

  spinmd_results results;
  std::memset(&results, 0, sizeof(results));
  results.forces = forces.data();
  results.moments = moments.data();
  results.atomic_energies = eflag_atom ? atomic_energies.data() : nullptr;

  const spinmd_status status = spinmd_evaluate_local(model, &system, request, &results);
  check_collective(status, "evaluation failed");

  double **f = atom->f;
  for (int i = 0; i < nall; i++)
    for (int k = 0; k < 3; k++) f[i][k] += forces[3 * i + k];
  if (eflag_global) eng_vdwl += results.energy;
  if (eflag_atom)
    for (int i = 0; i < nlocal; i++) eatom[i] += atomic_energies[i];
  scatter_moments(nlocal);

  const bool root = comm->me == 0;
  pvector[0] = root ? results.spin_iterations : 0.0;
  pvector[1] = root ? results.adjoint_iterations : 0.0;

  if (vflag_fdotr) virial_from_forces(nall);
}

// The global virial Σ r ⊗ f over local and ghost atoms (LAMMPS's f·r virial), symmetrised:
// virial_fdotr_compute() takes one triangle (xy from Σ x f_y), which differs from spinmd's
// −dE/dε (a symmetric strain) by the antisymmetric part of Σ r ⊗ f, the forces' net torque.
void PairSpinMD::virial_from_forces(int nall)
{
  double w[3][3] = {{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}};
  double **x = atom->x;
  for (int i = 0; i < nall; i++)
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++) w[a][b] += x[i][a] * forces[3 * i + b];
  virial[0] += w[0][0];
  virial[1] += w[1][1];
  virial[2] += w[2][2];
  virial[3] += 0.5 * (w[0][1] + w[1][0]);
  virial[4] += 0.5 * (w[0][2] + w[2][0]);
  virial[5] += 0.5 * (w[1][2] + w[2][1]);
}

/* ----------------------------------------------------------------------
   Failures. A failure on any process stops every process with the first failing process's
   message, so LAMMPS exits cleanly through error->all.
------------------------------------------------------------------------- */

void PairSpinMD::library_failure(const std::string &what, const std::string &message)
{
  error->all(FLERR, "spinmd: {}: {}", what, message.empty() ? "(no message)" : message);
}

void PairSpinMD::check_collective(spinmd_status status, const std::string &what)
{
  std::string message = status == SPINMD_OK ? "" : spinmd_last_error();
  if (comm->nprocs == 1) {
    if (status != SPINMD_OK) library_failure(what, message);
    return;
  }
  int mine = status == SPINMD_OK ? comm->nprocs : comm->me;
  int first = comm->nprocs;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, world);
  if (first == comm->nprocs) return;
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, first, world);
  message.resize(length);
  MPI_Bcast(message.data(), length, MPI_CHAR, first, world);
  library_failure(what + " on process " + std::to_string(first), message);
}

/* ----------------------------------------------------------------------
   Exchanges between processes (the library's callbacks)
------------------------------------------------------------------------- */

int PairSpinMD::exchange(double *values, int components, int direction)
{
  if (values == nullptr || components < 1) return 1;
  if (direction != SPINMD_EXCHANGE_FORWARD && direction != SPINMD_EXCHANGE_REVERSE) return 1;
  comm_values = values;
  comm_stride = components;
  // LAMMPS's buffers hold comm_forward / comm_reverse doubles per atom: larger exchanges go in
  // slices of components.
  for (int first = 0; first < components; first += MAX_COMM_COMPONENTS) {
    comm_first = first;
    comm_count = std::min(MAX_COMM_COMPONENTS, components - first);
    if (direction == SPINMD_EXCHANGE_FORWARD)
      comm->forward_comm(this, comm_count);
    else
      comm->reverse_comm(this, comm_count);
  }
  if (direction == SPINMD_EXCHANGE_REVERSE) {
    const size_t nlocal = atom->nlocal, nall = nlocal + atom->nghost;
    std::fill(values + nlocal * components, values + nall * components, 0.0);
  }
  comm_values = nullptr;
  return 0;
}

double PairSpinMD::global_max(double value)
{
  // MPI_MAX over a NaN is implementation-defined (processes could disagree on convergence and
  // wait for each other): a NaN counts as +∞ on every process.
  if (std::isnan(value)) value = INFINITY;
  double result = value;
  MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, world);
  return result;
}

int PairSpinMD::global_sum(double *values, int count)
{
  std::vector<double> mine(values, values + count);
  return MPI_Allreduce(mine.data(), values, count, MPI_DOUBLE, MPI_SUM, world) == MPI_SUCCESS ? 0 : 1;
}

int PairSpinMD::pack_forward_comm(int n, int *list_, double *buf, int /*pbc_flag*/, int * /*pbc*/)
{
  int m = 0;
  for (int ii = 0; ii < n; ii++) {
    const double *row = comm_values + static_cast<size_t>(list_[ii]) * comm_stride + comm_first;
    for (int k = 0; k < comm_count; k++) buf[m++] = row[k];
  }
  return m;
}

void PairSpinMD::unpack_forward_comm(int n, int first, double *buf)
{
  int m = 0;
  for (int i = first; i < first + n; i++) {
    double *row = comm_values + static_cast<size_t>(i) * comm_stride + comm_first;
    for (int k = 0; k < comm_count; k++) row[k] = buf[m++];
  }
}

int PairSpinMD::pack_reverse_comm(int n, int first, double *buf)
{
  int m = 0;
  for (int i = first; i < first + n; i++) {
    const double *row = comm_values + static_cast<size_t>(i) * comm_stride + comm_first;
    for (int k = 0; k < comm_count; k++) buf[m++] = row[k];
  }
  return m;
}

void PairSpinMD::unpack_reverse_comm(int n, int *list_, double *buf)
{
  int m = 0;
  for (int ii = 0; ii < n; ii++) {
    double *row = comm_values + static_cast<size_t>(list_[ii]) * comm_stride + comm_first;
    for (int k = 0; k < comm_count; k++) row[k] += buf[m++];
  }
}

/* ---------------------------------------------------------------------- */

double PairSpinMD::memory_usage()
{
  double bytes = Pair::memory_usage();
  bytes += numbers.capacity() * sizeof(int32_t) + neighbors.capacity() * sizeof(int32_t);
  bytes += ghost_owner.capacity() * sizeof(int32_t) + owner_of_tag.capacity() * sizeof(int32_t);
  bytes += (initial_moments.capacity() + forces.capacity() + atomic_energies.capacity() + moments.capacity()) *
      sizeof(double);
  bytes += (tags.capacity() + offsets.capacity()) * sizeof(int64_t);
  return bytes;
}
