import ArgumentParser
import Foundation
import SpinMD
import SpinMultiNet
import SpinMultiNetTraining
import SpinMDCore

/// `spinmd train config.json`: fits a SpinMultiNet model to DFT frames (docs/training.md).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a SpinMultiNet model on extxyz DFT data (see docs/training.md).")

    @Argument(help: "Training configuration JSON.")
    var config: String

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Override the configuration's 'seed' (initial weights, frame order, augmentation draws); the outputs go to its output directory with '-seed<N>' appended, so several seeds of one configuration (a committee's members) train side by side.")
    var seed: UInt64?

    @Option(name: .long, help: "When the configuration's 'model' is a committee file, fine-tune its member K (1-based); the outputs go to its output directory with '-member<K>' appended (before any '-seed<N>').")
    var member: Int?

    @Flag(name: .long, help: "Continue from the checkpoint in the output directory (same configuration, data and thread count).")
    var resume = false

    @Flag(name: .long, help: "Replace the outputs of an earlier training in the output directory.")
    var overwrite = false

    @Option(name: .customLong("stop-after"), help: .hidden)
    var stopAfter: Int?

    func run() throws {
        try ExitStatus.reporting {
            let threads = try common.checkedThreads()
            var c = try TrainingConfiguration.load(path: config)
            if let member {
                c.startMember = member
                c.outputDirectory += "-member\(member)"
            }
            if let seed {
                c.seed = seed
                c.outputDirectory += "-seed\(seed)"
            }
            let outputs = [c.modelFile, c.metricsFile, c.checkpointFile].map(c.output)
            if !resume && !overwrite, let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                throw SpinMDError.io(path: existing, message: "exists from an earlier training; pass --resume to continue it or --overwrite to start again")
            }
            let trainer = try Trainer(configuration: c, threads: threads)
            let model = trainer.model
            let species = model.configuration.species.map { Element(atomicNumber: $0)!.symbol }
            print("SpinMultiNet training: \(model.parameterCount) parameters, species \(species.joined(separator: " ")), cutoff \(model.configuration.cutoff) Å, \(trainer.executor.threads) thread(s)")
            print("frames: train \(trainer.train.count), validation \(trainer.validation.count), test \(trainer.test.count)")
            print("reference energies (eV): " + zip(species, model.configuration.referenceEnergies).map { String(format: "%@ %.4f", $0, $1) }.joined(separator: ", ")
                  + String(format: "; average neighbours %.2f", model.configuration.averageNeighbors))
            if resume {
                try trainer.resume()
                print("resuming after epoch \(trainer.epoch) (best validation loss \(trainer.bestLoss) at epoch \(trainer.bestEpoch))")
            }
            let interactive = !common.quiet && isatty(STDOUT_FILENO) != 0
            var printedHeader = false
            let hasStress = trainer.train.contains { $0.stress != nil } && c.loss.stress > 0
            trainer.onBatch = { epoch, done, total in
                guard interactive else { return }
                let bar = ProgressBar(width: 30).draw(fraction: Double(done) / Double(max(total, 1)))
                print(ProgressBar.clearLine + "  epoch \(epoch)/\(c.epochs) \(bar) \(done)/\(total) frames", terminator: "")
                fflush(nil)
            }
            trainer.onEpoch = { r in
                if interactive { print(ProgressBar.clearLine, terminator: "") }
                if !printedHeader {
                    print(EpochTable.header(stress: hasStress))
                    printedHeader = true
                }
                print(EpochTable.row(r, stress: hasStress))
                fflush(nil)
            }
            let records = try trainer.run(stopAfterEpoch: stopAfter)
            if !records.isEmpty {
                let seconds = records.reduce(0) { $0 + $1.trainingSeconds }, total = records.reduce(0) { $0 + $1.seconds }
                let frames = Double(records.count * trainer.train.count), atoms = Double(records.count * trainer.train.reduce(0) { $0 + $1.atomCount })
                print(String(format: "performance: %.1f training frames/s (%.0f atoms/s) on %d thread(s); %d epochs in %.1f s (%.2f s/epoch with validation)",
                             frames / seconds, atoms / seconds, trainer.executor.threads, records.count, total, total / Double(records.count)))
            }
            if let stop = stopAfter, trainer.epoch >= stop, trainer.epoch < c.epochs {
                print("stopped after epoch \(trainer.epoch) (--stop-after); continue with --resume")
                return
            }
            let (validation, test) = try trainer.finish()
            print("")
            print("best model: \(c.output(c.modelFile)) (epoch \(trainer.bestEpoch), validation loss \(String(format: "%.6g", trainer.bestLoss)))")
            print("")
            print(MetricsTable.format([("validation", validation)] + (test.map { [("test", $0)] } ?? [])), terminator: "")
            print("metrics per epoch: \(c.output(c.metricsFile))")
        }
    }
}

/// The per-epoch table of `spinmd train`: MAE/RMSE of the training and validation sets.
enum EpochTable {
    static func header(stress: Bool) -> String {
        var h = "epoch        lr   loss train     loss val   E meV/atom train      val   F meV/Å train        val   m μB train         val"
        if stress { h += "   σ GPa train      val" }
        return h + "      s"
    }

    static func pair(_ s: ErrorStatistics, _ unit: Double, width: Int) -> String {
        let text = s.count == 0 ? "—" : String(format: unit == 1 ? "%.3f/%.3f" : "%.1f/%.1f", s.meanAbsolute * unit, s.rootMeanSquare * unit)
        return String(repeating: " ", count: max(1, width - text.count)) + text
    }

    static func row(_ r: EpochRecord, stress: Bool) -> String {
        var line = String(format: "%5d %9.2e %12.5g %12.5g", r.epoch, r.learningRate, r.trainLoss, r.validationLoss)
        line += pair(r.train.energy, 1000, width: 17) + pair(r.validation.energy, 1000, width: 11)
        line += pair(r.train.forces, 1000, width: 14) + pair(r.validation.forces, 1000, width: 11)
        line += pair(r.train.moments, 1, width: 13) + pair(r.validation.moments, 1, width: 12)
        if stress { line += pair(r.train.stress, Units.eVPerCubicAngstromInGPa, width: 14) + pair(r.validation.stress, Units.eVPerCubicAngstromInGPa, width: 10) }
        return line + String(format: " %6.1f", r.seconds) + (r.improved ? " *" : "")
    }
}
