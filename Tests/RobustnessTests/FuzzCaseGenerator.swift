import Foundation
import SpinMDCore

/// Makes case `index` of the run seeded with `seed`: the same pair always gives the same case, so
/// any failure can be reproduced alone (`SPINMD_FUZZ_SEED`, `SPINMD_FUZZ_CASE`).
struct FuzzCaseGenerator {
    var seed: UInt64
    /// Outputs of each scenario's unmutated run (`out/...` by name), and the argon checkpoint.
    var baselines: [String: [String: Data]]

    /// Categories in the proportions a run draws them (the SpinMultiNet ones are the slow ones).
    static let weights: [(FuzzCase.Category, Int)] = [
        (.inputJSON, 30), (.physics, 16), (.outputNames, 6), (.extxyz, 14), (.poscar, 6), (.model, 5),
        (.checkpoint, 10), (.resumeInput, 5), (.trajectory, 4), (.evalData, 4),
    ]

    static let physicsEdits: [(String, [Double])] = [
        ("md.timestep_fs", [200, 1e308, 1e-300, 0, -1, .nan, 50]),
        ("potential.cutoff_A", [0, -1, 1e6, 1e308, 1e-9, .nan]),
        ("neighbor.skin_A", [1000, 1e308, -1, 0, .nan]),
        ("md.initial_temperature_K", [1e15, 1e7, -5, 1e308, .nan]),
        ("md.thermostat.temperature_K", [1e15, -5, 0, .nan]),
        ("md.thermostat.tdamp_fs", [0, -1, 1e-9, 1e308]),
        ("min_distance_A", [1e9, 1e308, -1, .nan]),
        ("structure.a_A", [0, -1, 1e-3, 1e6, .nan]),
        ("potential.species.Ar.epsilon_eV", [0, -1, 1e308, .nan]),
        ("potential.species.Ar.sigma_A", [0, -1, 1e308]),
        ("potential.switch_A", [0, -1, 9, 1e308]),
    ]

    func make(_ index: Int) -> FuzzCase {
        var rng = SeededGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let total = Self.weights.map(\.1).reduce(0, +)
        var r = Int.random(in: 0..<total, using: &rng)
        var category = FuzzCase.Category.inputJSON
        for (c, w) in Self.weights { if r < w { category = c; break }; r -= w }
        return make(index, category, &rng)
    }

    func make(_ index: Int, _ category: FuzzCase.Category, _ rng: inout SeededGenerator) -> FuzzCase {
        func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
        let argon = ["argon-nve", "argon-nvt", "argon-extxyz", "argon-relax"]
        var scenario: BaseScenario
        switch category {
        case .extxyz: scenario = .named(pick(["argon-extxyz", "argon-extxyz", "argon-extxyz", "nio-extxyz", "eval"]))
        case .poscar: scenario = .named("argon-relax")
        case .model: scenario = .named(pick(["nio-nvt", "eval", "eval"]))
        case .evalData: scenario = .named("eval")
        case .checkpoint, .resumeInput, .trajectory, .outputNames: scenario = .named("argon-nve")
        case .inputJSON: scenario = .named(Int.random(in: 0..<20, using: &rng) == 0 ? "nio-nvt" : pick(argon))
        default: scenario = .named(pick(argon + ["argon-nve"]))
        }
        var c = FuzzCase(seed: seed, index: index, category: category, scenario: scenario.name, mutations: [], files: scenario.files,
                         arguments: scenario.arguments + ["--quiet", "--threads", "1"],
                         locatingNames: ["input.json"] + scenario.files.keys.sorted())
        if scenario.input == nil { c.arguments = scenario.arguments + ["--threads", "1"] }
        var tree = scenario.input.flatMap { try? JSONTree.parse($0) } ?? .object([])
        var jsonMutator = JSONMutator(rng: SeededGenerator(seed: rng.next()))
        var structureMutator = StructureFileMutator(rng: SeededGenerator(seed: rng.next()))
        var binaryMutator = BinaryMutator(rng: SeededGenerator(seed: rng.next()))
        var rawInput: [UInt8]?
        // A previous good run's outputs in the output directory, to check nothing is lost.
        let withPrevious = Int.random(in: 0..<3, using: &rng) == 0 || [.checkpoint, .resumeInput].contains(category)
        if withPrevious { for (name, data) in baselines[scenario.name] ?? [:] { c.files[name] = data } }

        switch category {
        case .valid: break
        case .inputJSON:
            if Int.random(in: 0..<6, using: &rng) == 0 {
                var bytes = Array(tree.text().utf8)
                c.mutations.append(jsonMutator.mutateText(&bytes))
                rawInput = bytes
            } else {
                for _ in 0...Int.random(in: 0..<3, using: &rng) { c.mutations.append(jsonMutator.mutate(&tree)) }
            }
        case .physics:
            let usable = Self.physicsEdits.filter { e in
                !(e.0.hasPrefix("md.thermostat") && tree[[.key("md"), .key("thermostat")]] == nil)
                    && !(e.0.hasPrefix("md.") && tree[[.key("md")]] == nil) && !(e.0.hasPrefix("structure.a_A") && tree[[.key("structure"), .key("a_A")]] == nil)
            }
            let (key, values) = pick(usable)
            let v = pick(values)
            tree[key.split(separator: ".").map { .key(String($0)) }] = .number(v)
            c.mutations.append("\(key) = \(JSONTree.format(v))")
            if v.isNaN || v < 0 || (v == 0 && !["epsilon_eV", "skin_A"].contains { key.hasSuffix($0) }) { c.expectation = .refused }
        case .outputNames:
            let names = ["thermo.tsv", "final.extxyz", "trajectory.nc", "restart.ncrst", "checkpoint.spinmd"]
            let keys: [(JSONTree.Path, String)] = [([.key("output"), .key("thermo"), .key("file")], "thermo.tsv"),
                                                   ([.key("output"), .key("final_structure")], "final.extxyz"),
                                                   ([.key("output"), .key("trajectory"), .key("file")], "trajectory.nc"),
                                                   ([.key("output"), .key("restart"), .key("file")], "restart.ncrst"),
                                                   ([.key("output"), .key("checkpoint"), .key("file")], "checkpoint.spinmd")]
            let (path, own) = pick(keys)
            let other = pick(names.filter { $0 != own })
            tree[path] = .string(other)
            c.mutations.append("\(JSONTree.name(path)) = '\(other)' (the file of another output)")
            c.expectation = .refused
        case .extxyz:
            let file = scenario.structureFile!
            var text = String(decoding: c.files[file] ?? Data(), as: UTF8.self)
            for _ in 0...Int.random(in: 0..<2, using: &rng) {
                if Int.random(in: 0..<8, using: &rng) == 0 {
                    var b = Array(text.utf8); c.mutations.append("\(file): " + structureMutator.mutateBytes(&b)); text = String(decoding: b, as: UTF8.self)
                    c.files[file] = Data(b)
                    continue
                }
                let (t, what) = structureMutator.mutateExtXYZ(text)
                text = t
                c.mutations.append("\(file): \(what)")
                c.files[file] = Data(text.utf8)
            }
        case .poscar:
            let file = scenario.structureFile!
            var text = String(decoding: c.files[file] ?? Data(), as: UTF8.self)
            for _ in 0...Int.random(in: 0..<2, using: &rng) {
                let (t, what) = structureMutator.mutatePOSCAR(text)
                text = t
                c.mutations.append("\(file): \(what)")
            }
            c.files[file] = Data(text.utf8)
        case .model:
            let file = scenario.modelFile!
            let m = binaryMutator.mutateModel(Array(c.files[file] ?? Data()))
            c.files[file] = Data(m.bytes)
            c.mutations.append("\(file): \(m.what)")
            if m.refused { c.expectation = .refused }
        case .checkpoint, .resumeInput:
            // Resume the argon run from its step-20 checkpoint, extended to 30 steps.
            tree[[.key("md"), .key("steps")]] = .number(30)
            c.arguments.append("--resume")
            c.locatingNames.append("checkpoint.spinmd")
            if category == .checkpoint {
                let m = binaryMutator.mutateCheckpoint(Array(c.files["out/checkpoint.spinmd"] ?? Data()))
                // A mutation that leaves the bytes as they were (a value set to what it was) must resume.
                c.expectation = Data(m.bytes) == c.files["out/checkpoint.spinmd"] ? .succeeds : .refused
                c.files["out/checkpoint.spinmd"] = Data(m.bytes)
                c.mutations.append("checkpoint.spinmd: \(m.what)")
            } else {
                let edits: [(JSONTree.Path, JSONTree)] = [
                    ([.key("md"), .key("timestep_fs")], .number(4)), ([.key("md"), .key("ensemble")], .string("nvt")),
                    ([.key("potential"), .key("species"), .key("Ar"), .key("epsilon_eV")], .number(0.0105)),
                    ([.key("output"), .key("trajectory"), .key("every")], .number(4)), ([.key("potential"), .key("cutoff_A")], .number(8)),
                    ([.key("structure"), .key("a_A")], .number(5.3)), ([.key("output"), .key("trajectory"), .key("forces")], .bool(false)),
                ]
                let (path, value) = pick(edits)
                tree[path] = value
                if case .string("nvt") = value { tree[[.key("md"), .key("thermostat")]] = .object([("temperature_K", .number(70)), ("tdamp_fs", .number(500))]) }
                c.mutations.append("resumed with \(JSONTree.name(path)) changed")
                c.expectation = .refused
            }
        case .trajectory:
            c.files = ["trajectory.nc": baselines["argon-nve"]?["out/trajectory.nc"] ?? Data()]
            let ext = pick(["extxyz", "extxyz", "nc", "pdb", "dcd", "lammpstrj", "xyz"])
            c.arguments = ["trajectory", "convert", "trajectory.nc", "converted.\(ext)"]
            c.locatingNames = ["trajectory.nc", "converted.\(ext)"]
            c.mutations.append("convert to .\(ext)")
            if ["pdb", "dcd", "lammpstrj"].contains(ext) { c.expectation = .refused }
            if Bool.random(using: &rng) {
                var b = Array(c.files["trajectory.nc"]!)
                c.mutations.append("trajectory.nc: " + binaryMutator.damage(&b))
                c.files["trajectory.nc"] = Data(b)
            }
            return c
        case .evalData:
            var text = String(decoding: c.files["data.extxyz"] ?? Data(), as: UTF8.self)
            let (t, what) = structureMutator.mutateExtXYZ(text)
            text = t
            c.mutations.append("data.extxyz: \(what)")
            c.files["data.extxyz"] = Data(text.utf8)
        }
        if scenario.input != nil { c.files["input.json"] = Data(rawInput ?? Array(tree.text().utf8)) }
        return c
    }
}
