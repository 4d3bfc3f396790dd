import ArgumentParser
import Foundation
import SpinMD
import SpinMDCore

/// The one place that maps outcomes to exit codes: 0 success, 1 bad input or runtime error
/// (a `SpinMDError`, printed as one line on stderr), 2 relaxation not converged, 130 stopped by
/// SIGINT/SIGTERM (after writing a checkpoint).
enum ExitStatus {
    static let notConverged: Int32 = 2
    static let interrupted: Int32 = 130

    /// Runs a command's body; a `SpinMDError` becomes one line on stderr and exit status 1.
    static func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as SpinMDError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// The exit code of a finished run that did not succeed, nil for success.
    static func code(for status: RunSummary.Status) -> Int32? {
        if case .notConverged = status { return notConverged }
        if status == .interrupted { return interrupted }
        return nil
    }
}
