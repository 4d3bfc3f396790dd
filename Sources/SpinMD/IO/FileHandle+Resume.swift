import Foundation
import SpinMDCore

extension FileHandle {
    /// Cuts the file at `path`, open in this handle, to the `length` [bytes] a checkpoint
    /// recorded, and continues writing there: what an output written through to its file since
    /// that checkpoint (by a killed run) loses. Returns `length`.
    /// - Parameter available: the file's current length [bytes]; a checkpoint's length beyond it
    ///   means the file was cut or replaced since, and is an error.
    func cutForResume(path: String, to length: UInt64, available: UInt64) throws -> UInt64 {
        guard length <= available else {
            throw SpinMDError.io(path: path, message: "holds \(available) bytes, fewer than the \(length) the checkpoint covers; it was cut or replaced since, cannot resume into it")
        }
        do {
            try truncate(atOffset: length)
            try seek(toOffset: length)
        } catch {
            throw SpinMDError.io(path: path, message: "cannot be cut to the checkpoint: \(error.localizedDescription)")
        }
        return length
    }
}
