import Foundation

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

    public init(path: String, trigger: Trigger, mode: Mode, executor: ParallelExecutor = ParallelExecutor(threads: 1)) throws {
        self.path = path
        self.executor = executor
        self.trigger = trigger
        self.mode = mode
        if mode == .append {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw SpinMDError.io(path: path, message: "cannot create the trajectory file")
            }
            handle = h
        }
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
