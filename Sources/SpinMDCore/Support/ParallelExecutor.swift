import Dispatch
import Foundation

/// Runs a fixed number of chunks of work on up to `threads` cores.
///
/// Results are bitwise reproducible for a given thread count: the work is split into the same
/// chunks every time and per-chunk partial sums are reduced in chunk order.
public struct ParallelExecutor: Sendable {
    /// Number of worker threads (and chunks).
    public let threads: Int

    public init(threads: Int? = nil) {
        self.threads = max(1, threads ?? ParallelExecutor.defaultThreadCount)
    }

    /// `SPINMD_NUM_THREADS` if set, else the number of active cores.
    public static var defaultThreadCount: Int {
        if let s = ProcessInfo.processInfo.environment["SPINMD_NUM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }

    /// Calls `body(chunk)` for chunk in 0..<threads, concurrently when threads > 1.
    public func forEachChunk(_ body: (Int) -> Void) {
        if threads == 1 { body(0); return }
        Self.concurrentPerform(iterations: threads, body)
    }

    /// Calls `body` on contiguous slices of 0..<count, in parallel when there are at least
    /// `grain` items per thread (element-wise work whose result does not depend on the split).
    public func forEachSlice(of count: Int, grain: Int = 4096, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, max(1, count / grain))
        if parts == 1 { body(0..<count); return }
        Self.concurrentPerform(iterations: parts) { c in body((count * c / parts)..<(count * (c + 1) / parts)) }
    }

    /// Splits 0..<count into `threads` contiguous ranges of near-equal weight, where
    /// `cumulative[i]` is the total weight of items before i (count + 1 entries).
    public func partition(cumulative: [Int]) -> [Range<Int>] {
        let count = cumulative.count - 1
        let total = cumulative[count]
        var bounds = [0]
        var i = 0
        for t in 1..<threads {
            let target = total * t / threads
            while i < count && cumulative[i] < target { i += 1 }
            bounds.append(max(bounds.last!, i))
        }
        bounds.append(count)
        return (0..<threads).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// `DispatchQueue.concurrentPerform` on a closure that is not `@Sendable`.
    ///
    /// NOTE: the chunks of every caller write disjoint memory (their own buffer or their own slice
    /// of a shared one) and only read what no chunk writes; the compiler cannot check that, so
    /// this is the one place where the package asserts it. `concurrentPerform` returns after
    /// every chunk has run, so `body` does not escape.
    private static func concurrentPerform(iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let chunk = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: iterations) { chunk.value($0) }
        }
    }
}

/// A value shared between threads under a contract the compiler cannot check (see its uses).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
