import SpinMDCore

/// One part's named state in a `Checkpoint`: arrays of Doubles, stored bit for bit, and words
/// (UInt64: counts, file lengths, generator state), stored exactly.
public struct CheckpointSection: Equatable, Sendable {
    public var arrays: [String: [Double]]
    public var words: [String: [UInt64]]

    public init(arrays: [String: [Double]] = [:], words: [String: [UInt64]] = [:]) {
        self.arrays = arrays
        self.words = words
    }

    /// A section that does not fit the part restoring it; `RunState` reports it against the
    /// checkpoint file.
    public struct Mismatch: Error, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    /// The array `name`, of `count` values when given.
    public func array(_ name: String, count: Int? = nil) throws -> [Double] {
        guard let a = arrays[name] else { throw Mismatch("has no '\(name)'") }
        if let count, a.count != count { throw Mismatch("has \(a.count) values of '\(name)' where \(count) are expected") }
        return a
    }

    /// The words `name`, `count` of them when given.
    public func words(_ name: String, count: Int? = nil) throws -> [UInt64] {
        guard let w = words[name] else { throw Mismatch("has no '\(name)'") }
        if let count, w.count != count { throw Mismatch("has \(w.count) words of '\(name)' where \(count) are expected") }
        return w
    }
}
