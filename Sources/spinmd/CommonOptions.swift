import ArgumentParser
import SpinMDCore

/// Options every computing command shares (`run`, `train`, `eval`), as one `@OptionGroup`.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: the input's 'threads', else SPINMD_NUM_THREADS, else all cores).")
    var threads: Int?

    @Flag(name: .long, help: "No progress bar (tables and summaries are still printed).")
    var quiet = false

    /// `threads`, checked: a typed error (exit status 1) for a count below 1.
    func checkedThreads() throws -> Int? {
        if let t = threads, t < 1 { throw SpinMDError.invalidInput(location: "--threads", message: "expected a positive integer, got \(t)") }
        return threads
    }
}
