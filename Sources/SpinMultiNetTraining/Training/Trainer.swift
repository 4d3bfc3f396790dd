import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// One epoch's results.
public struct EpochRecord: Sendable {
    /// 1-based epoch.
    public var epoch: Int
    /// Learning rate at the end of the epoch.
    public var learningRate: Double
    /// Mean loss per frame: training (as trained: augmented inputs, weights changing during the
    /// epoch) and validation (moving-average weights, plain inputs).
    public var trainLoss: Double, validationLoss: Double
    public var train: PropertyErrors, validation: PropertyErrors
    public var seconds: Double
    /// Wall time of the optimisation steps alone (no validation, no output) [s].
    public var trainingSeconds: Double
    /// The validation loss is the best so far (the model file was written).
    public var improved: Bool
}

/// Trains a SpinMultiNet model on labelled DFT frames: seeded data split, reference-energy fit,
/// Adam(W) with warm-up and a learning-rate schedule, gradient clipping, an exponential moving
/// average of the weights, early stopping on the validation loss, checkpoints and resume.
///
/// Batches are split over the executor's threads by frames (each thread sums its frames'
/// gradients; the partial sums are added in thread order), so a run is bitwise reproducible
/// for a given seed and thread count.
public final class Trainer {
    public let configuration: TrainingConfiguration
    /// The weights being optimised.
    public let model: SpinMultiNetModel
    /// The moving average of the weights: validated, saved and shipped.
    public let averagedModel: SpinMultiNetModel
    public private(set) var train: [LabelledFrame] = []
    public private(set) var validation: [LabelledFrame] = []
    public private(set) var test: [LabelledFrame] = []
    /// Data files and their SHA-256.
    public private(set) var dataHashes: [(file: String, sha256: String, frames: Int)] = []
    /// The model file that fine-tuning started from, with its SHA-256 (nil for a new model).
    let startModel: (file: String, sha256: String)?
    public let executor: ParallelExecutor
    public let layout: ParameterLayout
    let decayMask: [Double]

    var parameters: [Double]
    var optimizer: AdamOptimizer
    var average: ExponentialMovingAverage
    var schedule: LearningRateSchedule
    var generator: SeededGenerator
    /// Completed epochs.
    public internal(set) var epoch = 0
    public internal(set) var bestLoss = Double.infinity
    public internal(set) var bestEpoch = 0
    var staleEpochs = 0
    /// Metrics-file rows written so far (header first).
    var metricsRows: [String] = []
    let sampler: SpinInputSampler

    /// Called after every batch with (epoch, frames done, frames in the epoch).
    public var onBatch: ((Int, Int, Int) -> Void)?
    /// Called after every epoch.
    public var onEpoch: ((EpochRecord) -> Void)?

    public init(configuration c: TrainingConfiguration, threads: Int? = nil) throws {
        configuration = c
        executor = ParallelExecutor(threads: threads ?? c.threads)
        switch c.model {
        case let .file(path):
            let members = try ModelFile.readCommittee(path: path).committee.members
            if let k = c.startMember {
                guard (1...members.count).contains(k) else {
                    throw SpinMDError.invalidInput(location: "--member", message: "\(k) is not a member of \(path), which holds \(members.count) model\(members.count == 1 ? "" : "s") (1…\(members.count))")
                }
                model = members[k - 1]
            } else {
                guard members.count == 1 else {
                    throw SpinMDError.io(path: path, message: "is a committee of \(members.count) models; fine-tune one of them with --member K")
                }
                model = members[0]
            }
            startModel = (path + (c.startMember.map { " member \($0)" } ?? ""), try Self.sha256(of: path))
        case let .new(mc, _):
            if c.startMember != nil {
                throw SpinMDError.invalidInput(location: "--member", message: "fine-tunes a member of a committee file, but \(c.path) defines a new model (its 'model' is not a file name)")
            }
            model = try SpinMultiNetModel(configuration: mc, seed: c.seed)
            startModel = nil
        }
        model.executor = ParallelExecutor(threads: 1)
        var reader = DatasetReader(species: model.configuration.species.map { Element(atomicNumber: $0)! }, cutoff: model.configuration.cutoff)
        reader.defaultInitialMoments = c.defaultInitialMoments
        reader.defaultsLocation = c.defaultsLocation
        reader.keys = c.labelKeys
        var hashes: [(file: String, sha256: String, frames: Int)] = []
        func load(_ files: [String]) throws -> [LabelledFrame] {
            var frames: [LabelledFrame] = []
            for f in files {
                let read = try reader.read(path: f)
                hashes.append((f, try Self.sha256(of: f), read.count))
                frames += read
            }
            return frames
        }
        var pool = try load(c.trainFiles)
        var validation = try load(c.validationFiles)
        var test = try load(c.testFiles)
        let train: [LabelledFrame]
        // Seeded split of the training files' frames: the set of each (0 test, 1 validation,
        // 2 training), each set in file order.
        var set = [Int](repeating: 2, count: pool.count)
        switch c.splitMethod {
        case .shuffle:
            var g = SeededGenerator(seed: c.splitSeed)
            let nTest = Int((c.testFraction * Double(pool.count)).rounded())
            let nValidation = Int((c.validationFraction * Double(pool.count)).rounded())
            for (rank, k) in Self.shuffled(pool.count, &g).enumerated() {
                set[k] = rank < nTest ? 0 : rank < nTest + nValidation ? 1 : 2
            }
        case .hash:
            for k in pool.indices {
                let u = Self.splitCoordinate(pool[k], seed: c.splitSeed)
                set[k] = u < c.testFraction ? 0 : u < c.testFraction + c.validationFraction ? 1 : 2
            }
        }
        let members = { (s: Int) in pool.indices.filter { set[$0] == s }.map { pool[$0] } }
        if c.testFraction > 0 { test = members(0) }
        if c.validationFraction > 0 { validation = members(1) }
        train = members(2) + (try load(c.trainOnlyFiles))
        pool = []
        self.train = train; self.validation = validation; self.test = test; dataHashes = hashes
        guard !validation.isEmpty else {
            throw SpinMDError.invalidInput(location: "\(c.path): key 'data.validation_fraction'",
                                           message: "the validation set is empty (\(train.count + test.count) frames × \(c.validationFraction) rounds to 0); add frames, raise the fraction or give 'data.validation' files")
        }
        guard !train.isEmpty else {
            throw SpinMDError.invalidInput(location: "\(c.path): key 'data.train'", message: "no training frames are left after the validation and test split")
        }
        for (name, set) in [("training", train), ("validation", validation)] where !set.contains(where: { $0.energy != nil || $0.forces != nil || $0.moments != nil }) {
            throw SpinMDError.invalidInput(location: "\(c.path): key 'data'", message: "the \(name) frames carry no labels (energy, forces or magmoms)")
        }
        // A new model normalises messages by the data's mean neighbour count; references by least squares.
        if case let .new(mc, given) = c.model, !given {
            var config = mc
            let edges = train.reduce(0) { $0 + $1.graph.edgeCount }, atoms = train.reduce(0) { $0 + $1.atomCount }
            config.averageNeighbors = max(1, Double(edges) / Double(max(atoms, 1)))
            let fresh = try SpinMultiNetModel(configuration: config, seed: c.seed)
            model.replace(with: fresh)
        }
        if c.fitReferenceEnergies {
            let labelled = train.filter { $0.energy != nil }
            if !labelled.isEmpty {
                let s = model.configuration.species.count
                let counts = labelled.map { f in (0..<s).map { k in Double(f.graph.species.filter { $0 == k }.count) } }
                model.setReferenceEnergies(ReferenceEnergyFit.fit(counts: counts, energies: labelled.map { $0.energy! }))
            }
        }
        averagedModel = try SpinMultiNetModel(configuration: model.configuration, weights: model.weights)
        averagedModel.executor = ParallelExecutor(threads: 1)
        layout = ParameterLayout(model.weights)
        decayMask = layout.decayMask
        parameters = layout.flatten(model.weights)
        optimizer = AdamOptimizer(parameterCount: layout.count)
        optimizer.beta1 = c.beta1; optimizer.beta2 = c.beta2; optimizer.epsilon = c.epsilon; optimizer.weightDecay = c.weightDecay
        average = ExponentialMovingAverage(decay: c.emaDecay, initial: parameters)
        schedule = c.schedule
        generator = SeededGenerator(seed: c.seed &+ 0x5EED)
        sampler = SpinInputSampler(augmentation: c.augmentation)
    }

    /// A number in [0, 1) fixed by the frame's species, positions and cell (to 10⁻⁶ Å) and the
    /// seed: the `hash` split puts the frame in the test set below test_fraction, in validation
    /// below test_fraction + validation_fraction.
    static func splitCoordinate(_ f: LabelledFrame, seed: UInt64) -> Double {
        let s = f.system
        var text = "\(seed)"
        for (e, r) in zip(s.species, s.positions) { text += " " + e.symbol + String(format: " %.6f %.6f %.6f", r.x, r.y, r.z) }
        for v in [s.cell.a, s.cell.b, s.cell.c] { text += String(format: " %.6f %.6f %.6f", v.x, v.y, v.z) }
        let hex = Checksum.sha256(Data(text.utf8)).prefix(13)   // 52 bits: exact in a Double
        return Double(UInt64(hex, radix: 16)!) / 0x1p52
    }

    /// 0..<count in a random order (Fisher–Yates).
    static func shuffled(_ count: Int, _ g: inout SeededGenerator) -> [Int] {
        var order = Array(0..<count)
        for k in stride(from: count - 1, to: 0, by: -1) { order.swapAt(k, Int(g.next() % UInt64(k + 1))) }
        return order
    }

    static func sha256(of path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "data") }
        return Checksum.sha256(data)
    }

    /// SHA-256 of the configuration text, the seed (which `spinmd train --seed` may override) and
    /// the data: a checkpoint resumes only the same training.
    var fingerprint: String {
        Checksum.sha256(Data((configuration.text + "\nseed \(configuration.seed)\n" + (configuration.startMember.map { "member \($0)\n" } ?? "")
                              + dataHashes.map(\.sha256).joined(separator: ",")).utf8))
    }

    // MARK: - Loss and gradient over a set of frames

    struct Partial {
        var loss = 0.0
        var errors = PropertyErrors()
        var gradient: [String: [Double]] = [:]
    }

    /// Sum of the frame losses (and gradients) of `frames` with the given spin inputs, split by
    /// frames over the threads and reduced in order.
    func accumulate(_ m: SpinMultiNetModel, _ frames: [LabelledFrame], inputs: [(inputs: [Vector3], targets: [Vector3]?, axis: Vector3?)],
                    gradients wantGradients: Bool) -> Partial {
        var cumulative = [0]
        for f in frames { cumulative.append(cumulative.last! + f.graph.edgeCount + f.atomCount) }
        let chunks = executor.partition(cumulative: cumulative)
        var partials = [Partial](repeating: Partial(), count: chunks.count)
        let w = configuration.loss
        partials.withUnsafeMutableBufferPointer { out in
            executor.forEachChunk { c in
                var p = Partial()
                for k in chunks[c] {
                    let f = frames[k], s = inputs[k]
                    let (terms, prediction): (LossTerms, FramePrediction)
                    if wantGradients {
                        (terms, prediction) = withUnsafeMutablePointer(to: &p.gradient) {
                            FrameLoss.evaluate(m, f, inputs: s.inputs, targets: s.targets, weights: w, gradients: $0)
                        }
                    } else {
                        (terms, prediction) = FrameLoss.evaluate(m, f, inputs: s.inputs, targets: s.targets, weights: w)
                    }
                    p.loss += terms.total
                    p.errors.addFrame(prediction, f)
                    for i in 0..<f.atomCount { p.errors.addAtom(i, prediction, f, targets: s.targets, axis: s.axis) }
                }
                out[c] = p
            }
        }
        var total = Partial()
        for p in partials {
            total.loss += p.loss
            total.errors.merge(p.errors)
            for (name, g) in p.gradient {
                if total.gradient[name] == nil { total.gradient[name] = g } else { for q in 0..<g.count { total.gradient[name]![q] += g[q] } }
            }
        }
        return total
    }

    /// Mean loss and errors of `frames` with plain inputs (initial_magmoms along ẑ).
    public func evaluate(_ m: SpinMultiNetModel, _ frames: [LabelledFrame]) -> (loss: Double, errors: PropertyErrors) {
        guard !frames.isEmpty else { return (.nan, PropertyErrors()) }
        let p = accumulate(m, frames, inputs: frames.map(SpinInputSampler.plain), gradients: false)
        return (p.loss / Double(frames.count), p.errors)
    }

    // MARK: - The loop

    /// Trains from the current state to the configured number of epochs (or early stop) and
    /// returns the records of the epochs run here.
    public func run(stopAfterEpoch stop: Int? = nil) throws -> [EpochRecord] {
        let c = configuration
        var records: [EpochRecord] = []
        if metricsRows.isEmpty { metricsRows = [Self.metricsHeader] }
        try writeSplit()
        while epoch < c.epochs {
            if let p = c.earlyStoppingPatience, staleEpochs >= p { break }
            let start = Stopwatch.now()
            let order = Self.shuffled(train.count, &generator)
            let batches = stride(from: 0, to: order.count, by: c.batchSize).map { order[$0..<min($0 + c.batchSize, order.count)] }
            var trainLoss = 0.0, trainErrors = PropertyErrors(), done = 0
            var rate = 0.0
            for (b, batch) in batches.enumerated() {
                let frames = batch.map { train[$0] }
                let draws = frames.map { sampler.draw($0, &generator) }
                let p = accumulate(model, frames, inputs: draws, gradients: true)
                var gradient = layout.flatten(p.gradient)
                let scale = 1 / Double(frames.count)
                var norm = 0.0
                for q in 0..<gradient.count { gradient[q] *= scale; norm += gradient[q] * gradient[q] }
                norm = norm.squareRoot()
                if let clip = c.gradientClip, norm > clip { for q in 0..<gradient.count { gradient[q] *= clip / norm } }
                guard norm.isFinite else {
                    throw SpinMDError.unsupported("training diverged at epoch \(epoch + 1) (non-finite gradient); lower 'optimizer.learning_rate' or the loss weights")
                }
                rate = schedule.rate(epoch: epoch, batch: b, batches: batches.count, epochs: c.epochs)
                optimizer.update(&parameters, gradient: gradient, learningRate: rate, decayMask: decayMask)
                model.setWeights(layout.unflatten(parameters))
                average.update(parameters)
                trainLoss += p.loss
                trainErrors.merge(p.errors)
                done += frames.count
                onBatch?(epoch + 1, done, order.count)
            }
            let trainingSeconds = Stopwatch.now() - start
            averagedModel.setWeights(layout.unflatten(average.values))
            let (validationLoss, validationErrors) = evaluate(averagedModel, validation)
            epoch += 1
            schedule.endEpoch(validationLoss: validationLoss)
            let improved = validationLoss < bestLoss
            if improved {
                bestLoss = validationLoss
                bestEpoch = epoch
                staleEpochs = 0
                try writeModel(validationMetrics: validationErrors)
            } else {
                staleEpochs += 1
            }
            let record = EpochRecord(epoch: epoch, learningRate: rate, trainLoss: trainLoss / Double(train.count), validationLoss: validationLoss,
                                     train: trainErrors, validation: validationErrors, seconds: Stopwatch.now() - start, trainingSeconds: trainingSeconds, improved: improved)
            records.append(record)
            metricsRows.append(Self.metricsRow(record))
            try FileManager.default.createDirectory(atPath: c.outputDirectory, withIntermediateDirectories: true)
            try AtomicFile.write(Array((metricsRows.joined(separator: "\n") + "\n").utf8), to: c.output(c.metricsFile))
            if epoch % c.checkpointEvery == 0 || epoch == c.epochs { try writeCheckpoint() }
            onEpoch?(record)
            if let stop, epoch >= stop { break }
        }
        if records.last.map({ $0.epoch % c.checkpointEvery != 0 }) ?? false { try writeCheckpoint() }
        return records
    }

    /// Writes `split.tsv` (set, file, frame) and the held-out frames as `validation.extxyz` and
    /// `test.extxyz` in the output directory, so `spinmd eval` can be run on exactly them.
    public func writeSplit() throws {
        let c = configuration
        try FileManager.default.createDirectory(atPath: c.outputDirectory, withIntermediateDirectories: true)
        var rows = ["set\tfile\tframe"]
        for (name, set) in [("train", train), ("validation", validation), ("test", test)] {
            rows += set.map { "\(name)\t\($0.file)\t\($0.index + 1)" }
        }
        try AtomicFile.write(Array((rows.joined(separator: "\n") + "\n").utf8), to: c.output("split.tsv"))
        for (name, set) in [("validation", validation), ("test", test)] where !set.isEmpty {
            let text = set.map { f -> String in
                var r = PotentialResult(energy: f.energy ?? .nan)
                r.forces = f.forces
                r.magneticMoments = f.moments
                if let s = f.stress, let v = f.volume { r.virial = -v * s }
                return ExtendedXYZ.format(f.system, result: f.energy == nil ? nil : r, extra: f.info.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }.joined()
            try AtomicFile.write(Array(text.utf8), to: c.output("\(name).extxyz"))
        }
    }

    /// Writes the averaged weights as the model file, with training provenance.
    func writeModel(validationMetrics: PropertyErrors, testMetrics: PropertyErrors? = nil) throws {
        let c = configuration
        var provenance: [String: String] = [
            "created_by": "spinmd train",
            "training_config_file": c.path,
            "training_config": c.text,
            "data": dataHashes.map { "\($0.file) sha256=\($0.sha256) frames=\($0.frames)" }.joined(separator: "; "),
            "split": "train \(train.count), validation \(validation.count), test \(test.count) frames (split_seed \(c.splitSeed))",
            "epoch": "\(bestEpoch)",
            "seed": "\(c.seed)",
            "threads": "\(executor.threads)",
            "validation_metrics": MetricsTable.json(validationMetrics),
        ]
        if let t = testMetrics { provenance["test_metrics"] = MetricsTable.json(t) }
        if let start = startModel { provenance["fine_tuned_from"] = "\(start.file) sha256=\(start.sha256)" }
        try FileManager.default.createDirectory(atPath: c.outputDirectory, withIntermediateDirectories: true)
        try ModelFile.write(averagedModel, to: c.output(c.modelFile), provenance: provenance)
    }

    /// Reloads the best model, evaluates the test set and stores its metrics in the model file.
    public func finish() throws -> (validation: PropertyErrors, test: PropertyErrors?) {
        let c = configuration
        let best = try ModelFile.read(path: c.output(c.modelFile)).model
        best.executor = ParallelExecutor(threads: 1)
        averagedModel.setWeights(best.weights)
        let validationErrors = evaluate(averagedModel, validation).errors
        let testErrors = test.isEmpty ? nil : evaluate(averagedModel, test).errors
        try writeModel(validationMetrics: validationErrors, testMetrics: testErrors)
        return (validationErrors, testErrors)
    }

    // MARK: - Metrics file

    static let metricsHeader = (["epoch", "learning_rate", "loss_train", "loss_validation"]
        + ["train", "validation"].flatMap { set in
            ["energy_meV_per_atom", "forces_meV_per_A", "moments_uB", "stress_GPa"].flatMap { q in ["\(set)_\(q)_mae", "\(set)_\(q)_rmse"] }
        } + ["seconds", "best"]).joined(separator: "\t")

    static func metricsRow(_ r: EpochRecord) -> String {
        var fields = ["\(r.epoch)", String(format: "%.6g", r.learningRate), String(format: "%.8g", r.trainLoss), String(format: "%.8g", r.validationLoss)]
        for e in [r.train, r.validation] {
            for (s, unit) in MetricsTable.quantities(e) { fields += [String(format: "%.6g", s.meanAbsolute * unit), String(format: "%.6g", s.rootMeanSquare * unit)] }
        }
        fields += [String(format: "%.3f", r.seconds), r.improved ? "*" : ""]
        return fields.joined(separator: "\t")
    }
}

extension SpinMultiNetModel {
    /// Takes configuration and weights of `other` (same architecture, e.g. a new normalisation).
    func replace(with other: SpinMultiNetModel) {
        precondition(other.weights.keys.sorted() == weights.keys.sorted())
        configuration = other.configuration
        weights = other.weights
    }
}
