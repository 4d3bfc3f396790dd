import Foundation
import SpinMDCore

/// Writes the structure as extended XYZ: either appending one frame per firing (a trajectory)
/// or replacing a single-frame file atomically (the final structure). A trajectory's length
/// is saved in checkpoints, so a resumed run cuts the frames written after them.
public final class StructureWriter: Observer, Checkpointable {
    public enum Mode { case append, replace }
    public let trigger: Trigger
    public var request: EvaluationRequest { [.energy, .forces, .virial, .magneticMoments] }
    public let path: String
    let mode: Mode
    let executor: ParallelExecutor
    private var handle: FileHandle?
    /// Bytes in an appended trajectory so far.
    public private(set) var length: UInt64 = 0

    /// - Parameter resuming: for `.append`, continue an existing trajectory, which
    ///   `restore(from:)` then cuts to the checkpoint's length; false starts a new file.
    public init(path: String, trigger: Trigger, mode: Mode, executor: ParallelExecutor = ParallelExecutor(threads: 1),
                resuming: Bool = false) throws {
        self.path = path
        self.executor = executor
        self.trigger = trigger
        self.mode = mode
        guard mode == .append else { return }
        if resuming {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw SpinMDError.io(path: path, message: "cannot be read to resume the run")
            }
        } else if !FileManager.default.createFile(atPath: path, contents: nil) {
            throw SpinMDError.io(path: path, message: "cannot create the trajectory file")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw SpinMDError.io(path: path, message: "cannot be opened for writing") }
        length = (try? h.seekToEnd()) ?? 0
        handle = h
    }

    public func observe(_ s: Snapshot) throws {
        try s.requireFinite(.all, writing: path)
        var extra: [(String, String)] = [("step", "\(s.step)")]
        if s.task == .md { extra.append(("time_fs", String(format: "%.6f", s.time))) }
        let bytes = ExtendedXYZ.formatBytes(s.system, result: s.result, extra: extra, executor: executor)
        switch mode {
        case .replace: try AtomicFile.write(bytes, to: path)
        case .append:
            do { try handle!.write(contentsOf: bytes) } catch {
                throw SpinMDError.io(path: path, message: "write failed: \(error.localizedDescription)")
            }
            length += UInt64(bytes.count)
        }
    }

    public var checkpointSection: String { "output." + (path as NSString).lastPathComponent }

    /// Words "length": bytes of an appended trajectory the checkpoint covers; nil when replacing.
    public func checkpointState() -> CheckpointSection? {
        mode == .append ? CheckpointSection(words: ["length": [length]]) : nil
    }

    /// Cuts an appended trajectory to the checkpoint's length (dropping frames written after it).
    public func restore(from section: CheckpointSection?) throws {
        guard let handle else { return }
        guard let section else { throw CheckpointSection.Mismatch("is missing: the checkpoint does not cover \(path)") }
        length = try handle.cutForResume(path: path, to: section.words("length", count: 1)[0], available: length)
    }

    public func close(status: String) throws { try handle?.close() }
}
