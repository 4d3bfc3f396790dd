/* pair_style spinmd: the SpinMultiNet potential of spinmd (libspinmdc, Sources/CSpinMD/include/
 * spinmd.h) as a LAMMPS pair style, loaded as a plugin (spinmd_plugin.cpp). docs/lammps.md
 * describes the commands.
 *
 * Each compute() hands the library this process's local and ghost atoms and LAMMPS's full
 * neighbour list with ghost neighbours (spinmd_evaluate_local). SpinMultiNet passes messages over
 * two layers, so the ghost shell must reach 2 × cutoff + skin; the self-consistent spins and their
 * adjoint exchange per-atom values between processes at every iteration through LAMMPS's
 * forward and reverse communication of this pair style. */
#ifndef SPINMD_PAIR_SPINMD_H
#define SPINMD_PAIR_SPINMD_H

#include "pair.h"
#include "spinmd.h"

#include <cstdint>
#include <string>
#include <vector>

namespace LAMMPS_NS {

class PairSpinMD : public Pair {
 public:
  PairSpinMD(class LAMMPS *);
  ~PairSpinMD() override;

  void compute(int, int) override;
  void settings(int, char **) override;
  void coeff(int, char **) override;
  void init_style() override;
  double init_one(int, int) override;

  int pack_forward_comm(int, int *, double *, int, int *) override;
  void unpack_forward_comm(int, int, double *) override;
  int pack_reverse_comm(int, int, double *) override;
  void unpack_reverse_comm(int, int *, double *) override;

  double memory_usage() override;

  // The library's callbacks (spinmd_exchange_fn, spinmd_global_max_fn, spinmd_global_sum_fn) land here.
  int exchange(double *values, int components, int direction);
  double global_max(double value);
  int global_sum(double *values, int count);

 protected:
  // Where per-atom moments come from or go to.
  enum MomentSource { MOMENTS_VECTOR, MOMENTS_ARRAY, MOMENTS_SPIN, MOMENTS_NONE };

  spinmd_model *model;
  double cutoff;
  std::string model_path;
  int spin_mode;
  int threads;    // the `threads` keyword (0: library default)
  std::vector<int> type_z;    // atomic number of each LAMMPS type (index 1..ntypes)

  MomentSource moments_source;
  std::string moments_name;    // custom property name without the d_/d2_ prefix
  int moments_explicit;        // 0: the default (d_m0, or spin for atom_style spin)
  MomentSource output_source;
  std::string output_name;

  // Buffers handed to the library, sized to local + ghost atoms.
  std::vector<int32_t> numbers;
  std::vector<double> initial_moments, forces, atomic_energies, moments;
  std::vector<int64_t> tags, offsets;
  std::vector<int32_t> neighbors, ghost_owner, owner_of_tag;

  // The array being exchanged by the current forward/reverse communication.
  double *comm_values;
  int comm_stride, comm_first, comm_count;

  void allocate();
  void close_model();
  int moment_components() const;
  void check_moment_property(MomentSource, const std::string &, const char *role);
  void gather_initial_moments(int nlocal, int nall);
  void scatter_moments(int nlocal);
  void build_neighbors(int nlocal, int nall);
  void build_ghost_owners(int nlocal, int nall);
  void virial_from_forces(int nall);
  [[noreturn]] void library_failure(const std::string &what, const std::string &message);
  void check_collective(spinmd_status status, const std::string &what);
};

}    // namespace LAMMPS_NS

#endif
