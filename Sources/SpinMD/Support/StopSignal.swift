import Foundation
import SpinMDCore

/// SIGINT / SIGTERM handling: the handler only sets a flag; runs poll it between steps, write a
/// checkpoint and stop cleanly.
public enum StopSignal {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    nonisolated(unsafe) private static var signalNumber: sig_atomic_t = 0

    /// Installs the handlers (idempotent).
    public static func install() {
        signal(SIGINT) { s in StopSignal.flag = 1; StopSignal.signalNumber = s }
        signal(SIGTERM) { s in StopSignal.flag = 1; StopSignal.signalNumber = s }
    }

    /// True once SIGINT or SIGTERM arrived.
    public static var requested: Bool { flag != 0 }
    /// The signal received (SIGINT or SIGTERM), 0 if none.
    public static var received: Int32 { signalNumber }

    /// For tests: raise or clear the request.
    public static func set(_ on: Bool) { flag = on ? 1 : 0 }
}
