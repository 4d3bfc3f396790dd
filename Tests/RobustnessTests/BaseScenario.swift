import Foundation

/// A small, fast, valid `spinmd` invocation the fuzzer starts from: the shipped examples cut down
/// to a few steps on 2×2×2 cells (argon with Lennard-Jones; NiO with the shipped SpinMultiNet
/// model), a structure-file variant of each format, a resumable run, a conversion and an evaluation.
struct BaseScenario {
    var name: String
    /// The input JSON (nil for commands without one: convert, eval).
    var input: String?
    /// Other files, by name in the case directory.
    var files: [String: Data]
    var arguments: [String]
    /// The structure file the input names, if any (the extxyz/POSCAR mutators edit it).
    var structureFile: String?
    /// The model file, if any.
    var modelFile: String?

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func shipped(_ path: String) -> Data {
        (try? Data(contentsOf: repository.appendingPathComponent(path))) ?? Data()
    }

    static let argonPotential = #"""
    "potential": {"type": "lennard-jones", "cutoff_A": 8.5, "truncation": "smooth", "switch_A": 7.5,
                  "species": {"Ar": {"epsilon_eV": 0.0104, "sigma_A": 3.4}}},
      "neighbor": {"skin_A": 1.0}
    """#

    /// fcc argon 2×2×2 (32 atoms) as extxyz, with a masses column.
    static var argonExtXYZ: String {
        let a = 5.3
        var lines = ["32", "Lattice=\"\(2 * a) 0.0 0.0 0.0 \(2 * a) 0.0 0.0 0.0 \(2 * a)\" Properties=species:S:1:pos:R:3:masses:R:1 pbc=\"T T T\""]
        let basis = [(0.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.5, 0.0, 0.5), (0.0, 0.5, 0.5)]
        for i in 0..<2 { for j in 0..<2 { for k in 0..<2 { for b in basis {
            lines.append(String(format: "Ar %.6f %.6f %.6f 39.948", (Double(i) + b.0) * a, (Double(j) + b.1) * a, (Double(k) + b.2) * a))
        } } } }
        return lines.joined(separator: "\n") + "\n"
    }

    static let model = "tmo-pbeu.safetensors"

    static let all: [BaseScenario] = [
        BaseScenario(name: "argon-nve", input: #"""
        {
          "structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.26, "repeat": [2, 2, 2]},
          \#(argonPotential),
          "task": "md",
          "md": {"ensemble": "nve", "timestep_fs": 5, "steps": 20, "initial_temperature_K": 60, "seed": 2024},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 5},
                     "trajectory": {"file": "trajectory.nc", "every": 5, "velocities": true, "forces": true},
                     "restart": {"file": "restart.ncrst", "every": 10}, "checkpoint": {"every": 10}}
        }
        """#, files: [:], arguments: ["run", "input.json"]),
        BaseScenario(name: "argon-nvt", input: #"""
        {
          "structure": {"lattice": "fcc", "elements": ["Ar"], "a_A": 5.30, "repeat": [2, 2, 2]},
          \#(argonPotential),
          "task": "md",
          "md": {"ensemble": "nvt", "timestep_fs": 5, "steps": 20, "initial_temperature_K": 20, "seed": 7,
                 "thermostat": {"temperature_K": 70, "tdamp_fs": 500}},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 5}, "trajectory": {"file": "trajectory.nc", "every": 10},
                     "checkpoint": {"every": 10}}
        }
        """#, files: [:], arguments: ["run", "input.json"]),
        BaseScenario(name: "argon-extxyz", input: #"""
        {
          "structure": {"file": "argon.extxyz"},
          \#(argonPotential),
          "task": "md",
          "md": {"ensemble": "nve", "timestep_fs": 5, "steps": 10, "initial_temperature_K": 60, "seed": 3},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 5}, "trajectory": {"file": "trajectory.extxyz", "every": 5}}
        }
        """#, files: ["argon.extxyz": Data(argonExtXYZ.utf8)], arguments: ["run", "input.json"], structureFile: "argon.extxyz"),
        BaseScenario(name: "argon-relax", input: #"""
        {
          "structure": {"file": "argon.POSCAR"},
          \#(argonPotential),
          "task": "relax",
          "relax": {"fmax_eV_per_A": 0.05, "max_steps": 200, "cell": true, "pressure_GPa": 0.0},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 5}, "trajectory": {"file": "relax.nc", "every": 10}}
        }
        """#, files: ["argon.POSCAR": shipped("inputs/structures/argon-fcc-strained.POSCAR")], arguments: ["run", "input.json"],
                     structureFile: "argon.POSCAR"),
        BaseScenario(name: "nio-nvt", input: #"""
        {
          "structure": {"lattice": "rocksalt", "elements": ["Ni", "O"], "a_A": 4.27, "repeat": [2, 2, 2]},
          "initial_magmoms": {"ordering": "afm2", "moments_uB": {"Ni": 2.0}},
          "potential": {"type": "spinmultinet", "model": "tmo-pbeu.safetensors", "spins": "self-consistent"},
          "task": "md",
          "md": {"ensemble": "nvt", "timestep_fs": 1.0, "steps": 2, "initial_temperature_K": 600, "seed": 7,
                 "thermostat": {"temperature_K": 300, "tdamp_fs": 100}},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 1},
                     "trajectory": {"file": "trajectory.nc", "every": 1, "velocities": true, "forces": true}}
        }
        """#, files: [model: shipped("inputs/models/tmo-pbeu.safetensors")], arguments: ["run", "input.json"], modelFile: model),
        BaseScenario(name: "nio-extxyz", input: #"""
        {
          "structure": {"file": "nio.extxyz"},
          "potential": {"type": "spinmultinet", "model": "tmo-pbeu.safetensors", "spins": "fixed"},
          "task": "md",
          "md": {"ensemble": "nve", "timestep_fs": 1, "steps": 2, "initial_temperature_K": 300, "seed": 4},
          "output": {"directory": "out", "overwrite": true, "thermo": {"every": 1}, "trajectory": {"file": "trajectory.nc", "every": 1}}
        }
        """#, files: ["nio.extxyz": shipped("inputs/structures/nio-afm2-64.extxyz"), model: shipped("inputs/models/tmo-pbeu.safetensors")],
                     arguments: ["run", "input.json"], structureFile: "nio.extxyz", modelFile: model),
        BaseScenario(name: "eval", input: nil,
                     files: ["data.extxyz": shipped("inputs/dft/data/tmo-nio-shear-4.271.extxyz"), model: shipped("inputs/models/tmo-pbeu.safetensors")],
                     arguments: ["eval", model, "data.extxyz", "--csv", "errors.csv"], structureFile: "data.extxyz", modelFile: model),
    ]

    static func named(_ name: String) -> BaseScenario { all.first { $0.name == name }! }
}
