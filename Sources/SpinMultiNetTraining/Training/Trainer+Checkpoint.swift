import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// Training checkpoints: a `SafetensorsFile` with the parameters, Adam's moments and the moving
/// average as tensors, and every scalar of the loop's state (epoch, random stream, best loss,
/// schedule) as exact decimal strings in the metadata. Written atomically at epoch ends.
extension Trainer {
    static let checkpointFormat = "spinmd-training-checkpoint"

    func writeCheckpoint() throws {
        let c = configuration
        let s = generator.state
        let metadata: [String: String] = [
            "format": Self.checkpointFormat, "format_version": "1", "fingerprint": fingerprint,
            "epoch": "\(epoch)", "adam_step": "\(optimizer.step)", "ema_updates": "\(average.updates)",
            "generator": "\(s.0) \(s.1) \(s.2) \(s.3)",
            "best_loss": "\(bestLoss)", "best_epoch": "\(bestEpoch)", "stale_epochs": "\(staleEpochs)",
            "plateau": "\(schedule.plateauScale) \(schedule.plateauBest) \(schedule.plateauStale)",
            "threads": "\(executor.threads)",
        ]
        try FileManager.default.createDirectory(atPath: c.outputDirectory, withIntermediateDirectories: true)
        try SafetensorsFile.write(tensors: ["parameters": parameters, "adam.first_moment": optimizer.firstMoment,
                                            "adam.second_moment": optimizer.secondMoment, "ema": average.values],
                                  metadata: metadata, to: c.output(c.checkpointFile))
    }

    /// Restores the state of the checkpoint in the output directory; the metrics file keeps the
    /// rows of the epochs the checkpoint covers.
    public func resume() throws {
        let c = configuration
        let path = c.output(c.checkpointFile)
        guard FileManager.default.fileExists(atPath: path) else {
            throw SpinMDError.fileNotFound(path: path, role: "training checkpoint (nothing to resume; run without --resume)")
        }
        let (tensors, m) = try SafetensorsFile.read(path: path, role: "training checkpoint")
        func bad(_ why: String) -> SpinMDError { .io(path: path, message: "cannot resume: \(why)") }
        guard m["format"] == Self.checkpointFormat, m["format_version"] == "1" else { throw bad("not a spinmd training checkpoint") }
        guard m["fingerprint"] == fingerprint else {
            throw bad("the training configuration or the data changed since the checkpoint was written; start again without --resume")
        }
        func int(_ k: String) throws -> Int { guard let v = m[k].flatMap({ Int($0) }) else { throw bad("no '\(k)'") }; return v }
        func doubles(_ k: String, _ n: Int) throws -> [Double] {
            guard let v = m[k]?.split(separator: " ").compactMap({ Double($0) }), v.count == n else { throw bad("no '\(k)'") }
            return v
        }
        func tensor(_ k: String) throws -> [Double] {
            guard let t = tensors[k], t.count == layout.count else { throw bad("tensor '\(k)' is missing or has the wrong size") }
            return t
        }
        let words = (m["generator"] ?? "").split(separator: " ").compactMap { UInt64($0) }
        guard words.count == 4 else { throw bad("no 'generator'") }
        if let t = m["threads"].flatMap({ Int($0) }), t != executor.threads {
            FileHandle.standardError.write(Data("warning: the checkpoint was written with \(t) threads, resuming with \(executor.threads): results will differ from an uninterrupted run at round-off level\n".utf8))
        }
        parameters = try tensor("parameters")
        optimizer.firstMoment = try tensor("adam.first_moment")
        optimizer.secondMoment = try tensor("adam.second_moment")
        optimizer.step = try int("adam_step")
        average.values = try tensor("ema")
        average.updates = try int("ema_updates")
        generator.state = (words[0], words[1], words[2], words[3])
        epoch = try int("epoch")
        bestLoss = try doubles("best_loss", 1)[0]
        bestEpoch = try int("best_epoch")
        staleEpochs = try int("stale_epochs")
        let plateau = try doubles("plateau", 3)
        schedule.plateauScale = plateau[0]; schedule.plateauBest = plateau[1]; schedule.plateauStale = Int(plateau[2])
        model.setWeights(layout.unflatten(parameters))
        averagedModel.setWeights(layout.unflatten(average.values))
        // Keep the metrics rows of epochs 1...epoch.
        let text = (try? String(contentsOfFile: c.output(c.metricsFile), encoding: .utf8)) ?? ""
        let rows = text.split(separator: "\n").map(String.init)
        metricsRows = [Self.metricsHeader] + rows.dropFirst().filter { row in
            Int(row.prefix { $0 != "\t" }).map { $0 <= epoch } ?? false
        }
    }
}
