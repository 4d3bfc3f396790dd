import Foundation
import SpinMDCore

/// Writes the structure as extended XYZ: either appending one frame per firing (a trajectory)
/// or replacing a single-frame file atomically (the final structure).
public final class StructureWriter: Observer {
    public enum Mode { case append, replace }
    public let trigger: Trigger
    public var request: EvaluationRequest { [.energy, .forces, .virial, .magneticMoments] }
    public let path: String
    let mode: Mode
    let executor: ParallelExecutor
    private var handle: FileHandle?

    /// - Parameter resumingAfter: for `.append`, continue an existing trajectory, dropping frames
    ///   whose `step` is after this one; nil starts a new file.
    public init(path: String, trigger: Trigger, mode: Mode, executor: ParallelExecutor = ParallelExecutor(threads: 1),
                resumingAfter step: Int? = nil) throws {
        self.path = path
        self.executor = executor
        self.trigger = trigger
        self.mode = mode
        guard mode == .append else { return }
        if let step {
            // Cut the file at the first frame written after the checkpoint (frames are kept byte for byte).
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw SpinMDError.io(path: path, message: "cannot be read to resume the run")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var k = 0, keptLines = 0
            while k + 1 < lines.count, let n = Int(lines[k].trimmingCharacters(in: .whitespaces)) {
                let info = try ExtendedXYZ.keyValues(String(lines[k + 1]), file: path, lineNumber: k + 2)
                if let s = info["step"].flatMap(Int.init), s > step { break }
                k += n + 2
                keptLines = k
            }
            try AtomicFile.write(lines.prefix(keptLines).map { $0 + "\n" }.joined(), to: path)
        } else if !FileManager.default.createFile(atPath: path, contents: nil) {
            throw SpinMDError.io(path: path, message: "cannot create the trajectory file")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw SpinMDError.io(path: path, message: "cannot be opened for writing") }
        _ = try? h.seekToEnd()
        handle = h
    }

    public func observe(_ s: Snapshot) throws {
        var extra: [(String, String)] = [("step", "\(s.step)")]
        if s.task == .md { extra.append(("time_fs", String(format: "%.6f", s.time))) }
        let bytes = ExtendedXYZ.formatBytes(s.system, result: s.result, extra: extra, executor: executor)
        switch mode {
        case .replace: try AtomicFile.write(bytes, to: path)
        case .append:
            do { try handle!.write(contentsOf: bytes) } catch {
                throw SpinMDError.io(path: path, message: "write failed: \(error.localizedDescription)")
            }
        }
    }

    public func close(status: String) throws { try handle?.close() }
}
