import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

final class TrainingGradientTests: XCTestCase {
    /// A NiO frame with random labels of every kind.
    static func labelledFrame(_ model: SpinMultiNetModel, seed: UInt64) throws -> LabelledFrame {
        let s = try TestModels.nio(rattle: 0.15, seed: seed)
        var g = SeededGenerator(seed: seed + 100)
        let n = s.atomCount
        let stress = Matrix3((0..<9).map { _ in 0.01 * g.nextGaussian() }).symmetricPart
        return LabelledFrame(system: s, speciesIndex: s.species.map { model.speciesIndex($0)! }, cutoff: model.configuration.cutoff,
                             energy: -20 + g.nextGaussian(), forces: (0..<n).map { _ in Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) },
                             moments: .collinear([1.7, -1.8, 0.1, -0.05]), stress: stress)
    }

    func testFullLossGradientEqualsFiniteDifferencesInTheWeights() throws {
        let model = try TestModels.magneticModel()
        let frame = try Self.labelledFrame(model, seed: 5)
        var w = LossWeights()
        w.energy = 3; w.forces = 2; w.moments = 1.5; w.stress = 50; w.deviatoricStress = false
        let inputs = frame.initialMoments.vectors(axis: Vector3(0, 0, 1)).map { 1.1 * $0 + Vector3(0.05, -0.02, 0.01) }
        let targets = frame.moments!.vectors(axis: Vector3(0, 0, 1))
        var gradients: [String: [Double]] = [:]
        _ = FrameLoss.evaluate(model, frame, inputs: inputs, targets: targets, weights: w, gradients: &gradients)
        func loss() -> Double { FrameLoss.evaluate(model, frame, inputs: inputs, targets: targets, weights: w).0.total }
        var g = SeededGenerator(seed: 9)
        var worst = 0.0
        for name in model.weights.keys.sorted() {
            let values = model.weights[name]!
            XCTAssertEqual(gradients[name]?.count, values.count, name)
            for _ in 0..<3 {
                let q = Int(g.next() % UInt64(values.count))
                let h = 1e-4
                var plus = values; plus[q] += h
                model.weights[name] = plus
                let lp = loss()
                var minus = values; minus[q] -= h
                model.weights[name] = minus
                let lm = loss()
                model.weights[name] = values
                let fd = (lp - lm) / (2 * h), analytic = gradients[name]![q]
                let error = abs(fd - analytic) / max(1e-2, abs(fd))
                worst = max(worst, error)
                XCTAssertLessThan(error, 1e-5, "\(name)[\(q)]: analytic \(analytic), finite difference \(fd)")
            }
        }
        print("largest relative gradient error: \(worst)")
    }
}

final class ReferenceEnergyFitTests: XCTestCase {
    func testFitIsExactOnSyntheticCompositions() {
        let truth = [-5.25, -8.5, -4.125]
        var g = SeededGenerator(seed: 4)
        let counts = (0..<12).map { _ in (0..<3).map { _ in Double(g.next() % 9) } }
        let energies = counts.map { c in zip(c, truth).reduce(0) { $0 + $1.0 * $1.1 } }
        let fit = ReferenceEnergyFit.fit(counts: counts, energies: energies)
        for (a, b) in zip(fit, truth) { XCTAssertEqual(a, b, accuracy: 1e-10) }
    }

    func testCollinearCompositionsGetTheMinimumNormSolutionWithExactResiduals() {
        // NiO and MnO only: e_Ni + e_O and e_Mn + e_O are determined, their split is not.
        let counts: [[Double]] = [[2, 0, 2], [4, 0, 4], [0, 2, 2], [0, 8, 8]]
        let energies = [-24.0, -48.0, -30.0, -120.0]
        let fit = ReferenceEnergyFit.fit(counts: counts, energies: energies)
        for (c, e) in zip(counts, energies) { XCTAssertEqual(zip(c, fit).reduce(0) { $0 + $1.0 * $1.1 }, e, accuracy: 1e-10) }
        // Minimum norm: the solution has no component along the null vector (1, 1, −1).
        XCTAssertEqual(fit[0] + fit[1] - fit[2], 0, accuracy: 1e-10)
    }
}

final class TrainingTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "spinmd-training-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func testTinyModelOverfitsAHandfulOfFrames() throws {
        let teacher = try TestModels.magneticModel(seed: 11)
        let student = try TestModels.model(seed: 2)
        let frames = try TrainingData.teacherFrames(teacher, count: 3, seed: 20).map { f in
            LabelledFrame(system: f.system, speciesIndex: f.system.species.map { student.speciesIndex($0)! }, cutoff: student.configuration.cutoff,
                          energy: f.result.energy, forces: f.result.forces, moments: f.result.magneticMoments)
        }
        student.setReferenceEnergies(teacher.configuration.referenceEnergies)
        let layout = ParameterLayout(student.weights)
        var parameters = layout.flatten(student.weights)
        var adam = AdamOptimizer(parameterCount: layout.count)
        let w = LossWeights()
        func loss(_ gradient: UnsafeMutablePointer<[String: [Double]]>?) -> Double {
            frames.reduce(0) { sum, f in
                let (inputs, targets, _) = SpinInputSampler.plain(f)
                return sum + FrameLoss.evaluate(student, f, inputs: inputs, targets: targets, weights: w, gradients: gradient).0.total
            }
        }
        let initial = loss(nil)
        for step in 0..<250 {
            var g: [String: [Double]] = [:]
            _ = loss(&g)
            adam.update(&parameters, gradient: layout.flatten(g), learningRate: step < 180 ? 1e-2 : 2e-3, decayMask: layout.decayMask)
            student.setWeights(layout.unflatten(parameters))
        }
        let final = loss(nil)
        XCTAssertLessThan(final, 1e-3 * initial, "loss \(initial) → \(final)")
    }

    /// A training configuration over `data` in the test directory.
    func writeConfiguration(_ name: String, data: String, epochs: Int, extra: String = "") throws -> String {
        let text = """
        {
          "data": {"train": "\(data)", "validation_fraction": 0.25, "test_fraction": 0.125},
          "model": {"species": ["Ni", "O"], "cutoff_A": 4.5, "channels": 4, "layers": 2, "hidden": 8},
          "epochs": \(epochs), "batch_size": 3, "seed": 5,
          "schedule": {"name": "cosine", "warmup_epochs": 1},
          "output": {"directory": "\(name)"}\(extra)
        }
        """
        let path = directory + "/\(name).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testResumedTrainingEndsWhereAnUninterruptedRunEnds() throws {
        let teacher = try TestModels.magneticModel(seed: 11)
        try TrainingData.write(try TrainingData.teacherFrames(teacher, count: 16, seed: 40), to: directory + "/data.extxyz")
        let straight = try Trainer(configuration: .load(path: try writeConfiguration("a", data: "data.extxyz", epochs: 6)), threads: 2)
        _ = try straight.run()
        let interruptedConfiguration = try TrainingConfiguration.load(path: try writeConfiguration("b", data: "data.extxyz", epochs: 6))
        let first = try Trainer(configuration: interruptedConfiguration, threads: 2)
        _ = try first.run(stopAfterEpoch: 2)
        let resumed = try Trainer(configuration: interruptedConfiguration, threads: 2)
        try resumed.resume()
        XCTAssertEqual(resumed.epoch, 2)
        _ = try resumed.run()
        XCTAssertEqual(resumed.parameters, straight.parameters)
        XCTAssertEqual(resumed.average.values, straight.average.values)
        XCTAssertEqual(resumed.bestEpoch, straight.bestEpoch)
        func rows(_ dir: String) throws -> [String] {
            try String(contentsOfFile: directory + "/\(dir)/metrics.tsv", encoding: .utf8).split(separator: "\n").map { row in
                var fields = row.split(separator: "\t", omittingEmptySubsequences: false)
                if fields.count > 2 { fields.remove(at: fields.count - 2) }  // wall time
                return fields.joined(separator: "\t")
            }
        }
        XCTAssertEqual(try rows("b"), try rows("a"))
        XCTAssertEqual(try rows("a").count, 7)
        // The best models are the same file content.
        let a = try ModelFile.read(path: directory + "/a/model.safetensors").model, b = try ModelFile.read(path: directory + "/b/model.safetensors").model
        XCTAssertEqual(a.weights, b.weights)
    }

    func testTrainingOnAnAnalyticSpinLatticeEnergyRanksFerroAndAntiferromagnetsCorrectly() throws {
        let toy = HeisenbergToy()
        var g = SeededGenerator(seed: 12)
        var frames: [TrainingData.Frame] = []
        for k in 0..<48 {
            let signs: [Double] = k % 4 == 0 ? [1, 1, 1, 1] : k % 4 == 1 ? [1, -1, 1, -1] : (0..<4).map { _ in g.next() % 2 == 0 ? 1 : -1 }
            let s = try HeisenbergToy.cell(nx: 2, signs: signs, strain: 0.02, rattle: 0.05, scale: 0.7 + 0.6 * g.nextUniform(), &g)
            frames.append((s, toy.label(s, signs: signs), []))
        }
        try TrainingData.write(frames, to: directory + "/toy.extxyz")
        let config = """
        {
          "data": {"train": "toy.extxyz", "validation_fraction": 0.2, "test_fraction": 0.2, "split_seed": 3},
          "model": {"species": ["Fe"], "cutoff_A": 4.0, "channels": 4, "layers": 1, "hidden": 16, "moment_range_uB": 3.0},
          "loss": {"energy": 100, "forces": 1, "moments": 1},
          "optimizer": {"learning_rate": 0.01},
          "epochs": 100, "batch_size": 4, "seed": 1, "ema_decay": 0.9,
          "output": {"directory": "toy"}
        }
        """
        try config.write(toFile: directory + "/toy.json", atomically: true, encoding: .utf8)
        let trainer = try Trainer(configuration: .load(path: directory + "/toy.json"), threads: 2)
        _ = try trainer.run()
        let (_, test) = try trainer.finish()
        let model = try ModelFile.read(path: directory + "/toy/model.safetensors").model
        // Ideal B2 antiferromagnet and ferromagnet of the toy: energies per atom.
        var zero = SeededGenerator(seed: 0)
        let potential = SpinMultiNetPotential(model: model, mode: .fixed)
        var predicted: [Double] = [], exact: [Double] = []
        for signs in [[1.0, 1, 1, 1], [1.0, -1, 1, -1]] {
            let s = try HeisenbergToy.cell(nx: 2, signs: signs, strain: 0, rattle: 0, scale: 1, &zero)
            let list = CellListBuilder().build(positions: s.positions, cell: s.cell, radius: model.configuration.cutoff, kind: .full)
            predicted.append(try potential.evaluate(s, neighbors: list, request: .energy).energy / 4)
            exact.append(toy.evaluate(s, signs: signs).0 / 4)
        }
        let exactSplitting = exact[0] - exact[1], predictedSplitting = predicted[0] - predicted[1]
        print("toy: test energy MAE \(1000 * test!.energy.meanAbsolute) meV/atom, forces \(1000 * test!.forces.meanAbsolute) meV/Å, moments \(test!.moments.meanAbsolute) μB; E_FM − E_AFM exact \(1000 * exactSplitting), model \(1000 * predictedSplitting) meV/atom")
        XCTAssertGreaterThan(exactSplitting, 0.05)
        XCTAssertGreaterThan(predictedSplitting, 0, "the model must put the antiferromagnet below the ferromagnet")
        XCTAssertEqual(predictedSplitting, exactSplitting, accuracy: 0.2 * exactSplitting)
        XCTAssertLessThan(test!.energy.meanAbsolute, 0.1 * exactSplitting)
        XCTAssertLessThan(test!.moments.meanAbsolute, 0.1)
    }

    /// `count` rattled, strained two-cell toy crystals with random spin patterns, labelled by the toy.
    private func randomSpinCells(_ count: Int, seed: UInt64) throws -> [TrainingData.Frame] {
        var g = SeededGenerator(seed: seed)
        let toy = HeisenbergToy()
        return try (0..<count).map { _ in
            let signs: [Double] = (0..<4).map { _ in g.next() % 2 == 0 ? 1 : -1 }
            let s = try HeisenbergToy.cell(nx: 2, signs: signs, strain: 0.02, rattle: 0.05, scale: 1, &g)
            return (s, toy.label(s, signs: signs), [])
        }
    }

    /// A trainer (not run) of a tiny model on a hash split; `data` holds the file keys of "data".
    private func hashSplitTrainer(_ name: String, _ data: String, testFraction: Double) throws -> Trainer {
        let config = """
        {"data": {\(data), "validation_fraction": 0.2, "test_fraction": \(testFraction), "split": "hash"},
         "model": {"species": ["Fe"], "cutoff_A": 4.0, "channels": 2, "layers": 1, "hidden": 4},
         "epochs": 1, "output": {"directory": "\(name)"}}
        """
        try config.write(toFile: directory + "/\(name).json", atomically: true, encoding: .utf8)
        return try Trainer(configuration: .load(path: directory + "/\(name).json"), threads: 1)
    }

    /// The `hash` split assigns each frame by its content: adding a file never moves a frame of
    /// the others between training, validation and test, and the sets are near their fractions.
    func testHashSplitKeepsEveryFrameInItsSetWhenFramesAreAdded() throws {
        let frames = try randomSpinCells(60, seed: 5)
        try TrainingData.write(Array(frames[..<40]), to: directory + "/first.extxyz")
        try TrainingData.write(Array(frames[40...]), to: directory + "/added.extxyz")
        let before = try hashSplitTrainer("before", "\"train\": [\"first.extxyz\"]", testFraction: 0.2)
        let after = try hashSplitTrainer("after", "\"train\": [\"first.extxyz\", \"added.extxyz\"]", testFraction: 0.2)
        func key(_ f: LabelledFrame) -> [Double] { f.system.positions.flatMap { [$0.x, $0.y, $0.z] } }
        for (set, name) in [(\Trainer.train, "training"), (\Trainer.validation, "validation"), (\Trainer.test, "test")] {
            let grown = Set(after[keyPath: set].map(key))
            for f in before[keyPath: set] { XCTAssertTrue(grown.contains(key(f)), "a \(name) frame moved when frames were added") }
        }
        XCTAssertEqual(after.train.count + after.validation.count + after.test.count, 60)
        // Binomial(60, 0.2): 12 ± 3.1; allow ±2.5σ.
        for n in [after.validation.count, after.test.count] { XCTAssertTrue((4...20).contains(n), "\(n) frames for a fraction of 0.2") }
    }

    /// `train_only` files add every frame to the training set and leave the held-out sets as the
    /// split of the other files made them.
    func testTrainOnlyFramesAreNeverHeldOut() throws {
        let frames = try randomSpinCells(50, seed: 6)
        try TrainingData.write(Array(frames[..<30]), to: directory + "/split.extxyz")
        try TrainingData.write(Array(frames[30...]), to: directory + "/chosen.extxyz")
        let alone = try hashSplitTrainer("alone", "\"train\": \"split.extxyz\"", testFraction: 0.3)
        let both = try hashSplitTrainer("both", "\"train\": \"split.extxyz\", \"train_only\": \"chosen.extxyz\"", testFraction: 0.3)
        func key(_ s: AtomicSystem) -> [Double] { s.positions.flatMap { [$0.x, $0.y, $0.z] }.map { ($0 * 1e6).rounded() } }   // the file keeps 10 digits
        func keys(_ set: [LabelledFrame]) -> [[Double]] { set.map { key($0.system) } }
        XCTAssertEqual(keys(both.validation), keys(alone.validation))
        XCTAssertEqual(keys(both.test), keys(alone.test))
        XCTAssertEqual(both.train.count, alone.train.count + 20)
        XCTAssertEqual(Set(keys(both.train)), Set(keys(alone.train) + frames[30...].map { key($0.system) }))
        XCTAssertFalse(alone.validation.isEmpty || alone.test.isEmpty)
    }
}
