/*
 * The C interface of libspinmdc in use: AFM-I NiO (rocksalt, a = 4.17 Å, 8-atom cubic cell)
 * with the model given on the command line; prints energy [eV], the largest force [eV/Å] and the
 * moments [μB]. Build (docs/python.md, "The C library"):
 *
 *   gcc -I Sources/CSpinMD/include python/examples/evaluate.c -L DIR -lspinmdc -Wl,-rpath,DIR -o evaluate
 */
#include <math.h>
#include <stdio.h>
#include "spinmd.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.safetensors\n", argv[0]);
        return 2;
    }
    if (spinmd_api_version() != SPINMD_API_VERSION) {
        fprintf(stderr, "library interface %d, header %d\n", spinmd_api_version(), SPINMD_API_VERSION);
        return 1;
    }
    const double a = 4.17;
    int32_t z[8];
    double r[8][3], m[8];
    /* Ni on the fcc sites, O shifted by a/2 along x; Ni moments alternate between (001) planes (AFM-I). */
    const double fcc[4][3] = {{0, 0, 0}, {0, .5, .5}, {.5, 0, .5}, {.5, .5, 0}};
    for (int k = 0; k < 4; k++) {
        z[k] = 28; z[k + 4] = 8;
        for (int c = 0; c < 3; c++) {
            r[k][c] = a * fcc[k][c];
            r[k + 4][c] = a * fmod(fcc[k][c] + (c == 0 ? 0.5 : 0), 1.0);
        }
        m[k] = fcc[k][2] == 0 ? 2.0 : -2.0;
        m[k + 4] = 0;
    }
    const double cell[9] = {a, 0, 0, 0, a, 0, 0, 0, a};
    const int32_t pbc[3] = {1, 1, 1};
    spinmd_system system = {8, z, &r[0][0], cell, pbc, m, 1};

    spinmd_model *model = NULL;
    spinmd_options options = {0}; /* defaults: self-consistent spins, all members, all cores */
    if (spinmd_open(argv[1], &options, &model) != SPINMD_OK) {
        fprintf(stderr, "spinmd_open: %s\n", spinmd_last_error());
        return 1;
    }
    double forces[8][3], virial[9], moments[8];
    spinmd_results out = {0};
    out.forces = &forces[0][0];
    out.virial = virial;
    out.moments = moments;
    spinmd_status status = spinmd_evaluate(model, &system,
        SPINMD_REQUEST_ENERGY | SPINMD_REQUEST_FORCES | SPINMD_REQUEST_VIRIAL | SPINMD_REQUEST_MOMENTS, &out);
    if (status != SPINMD_OK) {
        fprintf(stderr, "spinmd_evaluate (status %d): %s\n", status, spinmd_last_error());
        spinmd_close(model);
        return 1;
    }
    double largest = 0;
    for (int i = 0; i < 8; i++) largest = fmax(largest, sqrt(forces[i][0] * forces[i][0] + forces[i][1] * forces[i][1] + forces[i][2] * forces[i][2]));
    printf("spinmd %s, %d member(s), cutoff %g A\n", spinmd_version(), spinmd_member_count(model), spinmd_cutoff(model));
    printf("energy %.12f eV\nlargest force %.3e eV/A\nmoments", out.energy, largest);
    for (int i = 0; i < 8; i++) printf(" %.4f", moments[i]);
    printf("\nspin iterations %d, adjoint iterations %d\n", out.spin_iterations, out.adjoint_iterations);

    /* A bad call returns a status and a message; nothing aborts. */
    system.moment_components = 2;
    if (spinmd_evaluate(model, &system, SPINMD_REQUEST_ENERGY, &out) != SPINMD_ERROR_INVALID_ARGUMENT) return 1;
    printf("expected error: %s\n", spinmd_last_error());
    spinmd_close(model);
    return 0;
}
