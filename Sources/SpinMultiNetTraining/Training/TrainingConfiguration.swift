import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// Everything `spinmd train` needs, read and validated from a training JSON file before any
/// output is written (keys in docs/training.md).
public struct TrainingConfiguration {
    /// Where the model comes from: a new model of this architecture, or an existing file (fine-tuning).
    public enum ModelSource {
        case new(ModelConfiguration, averageNeighborsGiven: Bool)
        case file(String)
    }

    /// Spin-input augmentation (docs/training.md, "Spin augmentation").
    public struct Augmentation: Sendable, Equatable {
        /// Draw each input magnitude uniformly from [lower·min(|m₀|, |m|), upper·max(|m₀|, |m|)]
        /// (m₀: `initial_magmoms`, m: `magmoms`), keeping its sign.
        public var magnitudes = true
        public var magnitudeRange = (lower: 0.8, upper: 1.2)
        /// Rotate collinear inputs and targets onto a random global spin axis.
        public var spinAxis = true
        /// μB. If positive, atoms estimated at 0 μB (O) that do not keep 0 get a magnitude drawn
        /// from [0, max(this, upper·|m|)] with a random sign, instead of up to upper·|m| with the
        /// target's sign; 0 keeps the latter.
        public var zeroMomentRange = 0.0
        public static func == (a: Augmentation, b: Augmentation) -> Bool {
            a.magnitudes == b.magnitudes && a.spinAxis == b.spinAxis && a.magnitudeRange == b.magnitudeRange
                && a.zeroMomentRange == b.zeroMomentRange
        }
    }

    /// The configuration file and its directory (relative paths are resolved against it).
    public var path: String
    public var baseDirectory: String
    /// The file's bytes (stored in the model's provenance and checked on --resume).
    public var text: String

    public var trainFiles: [String] = []
    /// Files whose frames are all trained on and never held out, whatever the split: frames
    /// chosen by a model's own uncertainty (query by committee) are not a fair sample of what
    /// the validation and test sets measure.
    public var trainOnlyFiles: [String] = []
    public var validationFiles: [String] = []
    public var testFiles: [String] = []
    /// Fractions of the `train` frames held out when no explicit files are given.
    public var validationFraction = 0.1
    public var testFraction = 0.1
    public var splitSeed: UInt64 = 1
    /// How the fractions are drawn: `shuffle` (a seeded permutation of all frames; adding frames
    /// redraws every set) or `hash` (each frame by a hash of its species, positions and cell, so
    /// adding frames never moves the existing ones between sets; the set sizes are then only
    /// close to the fractions).
    public enum SplitMethod: String, CaseIterable, Sendable { case shuffle, hash }
    public var splitMethod = SplitMethod.shuffle
    public var defaultInitialMoments: [Element: Double] = [:]
    public var defaultsLocation = ""
    /// Names of the labels in the data files (`data.energy_key`, ...).
    public var labelKeys = LabelKeys()

    public var model: ModelSource
    /// Fit per-species reference energies by least squares on the training frames (else keep the model's).
    public var fitReferenceEnergies = true
    public var loss = LossWeights()
    public var learningRate = 5e-3
    public var weightDecay = 0.0
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    /// Largest global L2 norm of a batch gradient (nil: no clipping).
    public var gradientClip: Double? = 10
    public var schedule = LearningRateSchedule()
    public var emaDecay = 0.99
    public var batchSize = 4
    public var epochs = 200
    /// Stop after this many epochs without a better validation loss (nil: never).
    public var earlyStoppingPatience: Int? = 50
    public var seed: UInt64 = 1
    /// 1-based member to fine-tune when `model` names a committee file (`spinmd train --member`).
    public var startMember: Int?
    public var augmentation = Augmentation()
    public var threads: Int?

    public var outputDirectory = "training"
    public var modelFile = "model.safetensors"
    public var metricsFile = "metrics.tsv"
    public var checkpointFile = "checkpoint.safetensors"
    /// Epochs between checkpoints.
    public var checkpointEvery = 1

    /// Output path of `name` (absolute names are kept).
    public func output(_ name: String) -> String {
        name.hasPrefix("/") ? name : URL(fileURLWithPath: outputDirectory).appendingPathComponent(name).path
    }

    func resolve(_ file: String) -> String {
        file.hasPrefix("/") ? file : URL(fileURLWithPath: baseDirectory).appendingPathComponent(file).standardized.path
    }

    public static func load(path: String) throws -> TrainingConfiguration {
        let root = try ConfigObject.load(path: path)
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try TrainingConfiguration(root, path: path, baseDirectory: base, text: text)
    }

    init(_ c: ConfigObject, path: String, baseDirectory: String, text: String) throws {
        self.path = path
        self.baseDirectory = baseDirectory
        self.text = text
        // Model first: the data defaults below need its species.
        if let raw = c.raw("model"), case let .string(file) = raw.value {
            let resolved = file.hasPrefix("/") ? file : URL(fileURLWithPath: baseDirectory).appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: resolved) else { throw c.error("model", "model file '\(resolved)' does not exist") }
            model = .file(resolved)
        } else {
            let m = try c.object("model")
            let given = m.keys.contains("average_neighbors")
            model = .new(try ModelConfiguration(input: m), averageNeighborsGiven: given)
        }

        let data = try c.object("data")
        func files(_ key: String) throws -> [String] {
            let list = try data.optionalStrings(key) ?? []
            for f in list where !FileManager.default.fileExists(atPath: resolve(f)) {
                throw data.error(key, "data file '\(resolve(f))' does not exist")
            }
            return list.map(resolve)
        }
        trainFiles = try files("train")
        if trainFiles.isEmpty { throw data.missing("train", "an extxyz file or a list of them") }
        trainOnlyFiles = try files("train_only")
        validationFiles = try files("validation")
        testFiles = try files("test")
        let fraction = NumberCheck(minimum: 0, maximum: 0.9, expectation: "a fraction in [0, 0.9]")
        validationFraction = try data.double("validation_fraction", default: validationFraction, fraction)
        testFraction = try data.double("test_fraction", default: testFraction, fraction)
        if !validationFiles.isEmpty, data.contains("validation_fraction") {
            throw data.error("validation_fraction", "give either 'validation' files or 'validation_fraction', not both")
        }
        if !testFiles.isEmpty, data.contains("test_fraction") {
            throw data.error("test_fraction", "give either 'test' files or 'test_fraction', not both")
        }
        if validationFiles.isEmpty, validationFraction == 0 {
            throw data.error("validation_fraction", "must be positive when no 'validation' files are given (the best model is chosen on the validation set)")
        }
        if !validationFiles.isEmpty { validationFraction = 0 }
        if !testFiles.isEmpty { testFraction = 0 }
        if validationFraction + testFraction >= 0.95 { throw data.error("test_fraction", "validation and test fractions leave no training frames") }
        splitSeed = UInt64(try data.int("split_seed", default: 1, .nonNegative))
        splitMethod = SplitMethod(rawValue: try data.choice("split", SplitMethod.allCases.map(\.rawValue), default: "shuffle"))!
        if let defaults = try data.optionalObject("initial_magmoms") {
            for key in defaults.keys {
                guard let e = Element(symbol: key) else { throw defaults.error(key, "expected an element symbol as key") }
                defaultInitialMoments[e] = try defaults.double(key)
            }
            try defaults.finish()
        }
        defaultsLocation = "\(path): key 'data.initial_magmoms'"
        for label in LabelKeys.labels {
            if let key = try data.optionalString(label + "_key") {
                guard !key.isEmpty else { throw data.error(label + "_key", "expected the name of a key or column, got an empty string") }
                labelKeys.set(label, to: key)
            }
        }
        try data.finish()

        fitReferenceEnergies = try c.choice("reference_energies", ["fit", "model"], default: "fit") == "fit"
        if let l = try c.optionalObject("loss") {
            loss.energy = try l.double("energy", default: loss.energy, .nonNegative)
            loss.forces = try l.double("forces", default: loss.forces, .nonNegative)
            loss.moments = try l.double("moments", default: loss.moments, .nonNegative)
            loss.stress = try l.double("stress", default: loss.stress, .nonNegative)
            loss.deviatoricStress = try l.choice("stress_part", ["deviatoric", "full"], default: "deviatoric") == "deviatoric"
            try l.finish()
            if loss.energy + loss.forces + loss.moments + loss.stress == 0 { throw c.error("loss", "all loss weights are zero") }
        }
        if let o = try c.optionalObject("optimizer") {
            let name = try o.choice("name", ["adam", "adamw"], default: "adamw")
            learningRate = try o.double("learning_rate", default: learningRate, .positive)
            weightDecay = try o.double("weight_decay", default: 0, .nonNegative)
            if name == "adam", weightDecay > 0 { throw o.error("weight_decay", "needs \"name\": \"adamw\" (decoupled weight decay)") }
            beta1 = try o.double("beta1", default: beta1, NumberCheck(minimum: 0, maximum: 0.999999, expectation: "a number in [0, 1)"))
            beta2 = try o.double("beta2", default: beta2, NumberCheck(minimum: 0, maximum: 0.999999999, expectation: "a number in [0, 1)"))
            epsilon = try o.double("epsilon", default: epsilon, .positive)
            if let raw = o.raw("gradient_clip"), case .null = raw.value {
                gradientClip = nil
            } else {
                gradientClip = try o.double("gradient_clip", default: 10, .positive)
            }
            try o.finish()
        }
        schedule.initial = learningRate
        if let s = try c.optionalObject("schedule") {
            schedule.kind = LearningRateSchedule.Kind(rawValue: try s.choice("name", LearningRateSchedule.Kind.allCases.map(\.rawValue), default: "cosine"))!
            schedule.warmupEpochs = try s.int("warmup_epochs", default: schedule.warmupEpochs, .nonNegative)
            schedule.minimum = try s.double("min_learning_rate", default: schedule.minimum, .positive)
            schedule.factor = try s.double("factor", default: schedule.factor, NumberCheck(minimum: 0, minimumInclusive: false, maximum: 1, expectation: "a number in (0, 1]"))
            schedule.patience = try s.int("patience", default: schedule.patience, .positive)
            try s.finish()
        }
        emaDecay = try c.double("ema_decay", default: emaDecay, NumberCheck(minimum: 0, maximum: 0.99999, expectation: "a number in [0, 1) (0: no averaging)"))
        batchSize = try c.int("batch_size", default: batchSize, .positive)
        epochs = try c.int("epochs", default: epochs, .positive)
        if let raw = c.raw("early_stopping_patience"), case .null = raw.value {
            earlyStoppingPatience = nil
        } else {
            earlyStoppingPatience = try c.int("early_stopping_patience", default: 50, .positive)
        }
        seed = UInt64(try c.int("seed", default: 1, .nonNegative))
        if let a = try c.optionalObject("augmentation") {
            augmentation.magnitudes = try a.bool("spin_magnitudes", default: true)
            augmentation.spinAxis = try a.bool("spin_axis", default: true)
            if let r = try a.optionalNumbers("magnitude_range") {
                guard r.count == 2, r[0] > 0, r[0] <= 1, r[1] >= 1 else {
                    throw a.error("magnitude_range", "expected [lower ≤ 1, upper ≥ 1], both positive, e.g. [0.8, 1.2]")
                }
                augmentation.magnitudeRange = (r[0], r[1])
            }
            augmentation.zeroMomentRange = try a.double("zero_moment_range_uB", default: 0, .nonNegative)
            try a.finish()
        }
        threads = try c.optionalInt("threads", .positive)
        if let o = try c.optionalObject("output") {
            outputDirectory = try o.string("directory", default: outputDirectory)
            modelFile = try o.string("model", default: modelFile)
            metricsFile = try o.string("metrics", default: metricsFile)
            checkpointFile = try o.string("checkpoint", default: checkpointFile)
            checkpointEvery = try o.int("checkpoint_every", default: checkpointEvery, .positive)
            try o.finish()
        }
        if !outputDirectory.hasPrefix("/") { outputDirectory = URL(fileURLWithPath: baseDirectory).appendingPathComponent(outputDirectory).standardized.path }
        try c.finish()
    }
}
