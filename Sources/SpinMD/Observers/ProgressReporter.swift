import Foundation
import SpinMDCore

/// Progress on standard output: a bar with ETA redrawn in place when stdout is a terminal,
/// plain periodic lines otherwise (logs and CI).
public final class ProgressReporter: Observer {
    public let trigger: Trigger
    public var request: EvaluationRequest { [.energy] }
    let interactive: Bool
    let start = Stopwatch.now()
    private var lastDraw = 0.0
    private let write: (String) -> Void

    /// - Parameters:
    ///   - every: period of plain lines (non-terminal); the bar checks every step.
    ///   - interactive: nil = detect with isatty(1).
    public init(every: Int, interactive: Bool? = nil, write: @escaping (String) -> Void = { print($0, terminator: ""); fflush(nil) }) {
        self.interactive = interactive ?? (isatty(STDOUT_FILENO) != 0)
        self.trigger = Trigger(every: self.interactive ? 1 : max(1, every))
        self.write = write
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
    }

    func line(_ s: Snapshot) -> String {
        switch s.task {
        case .md:
            return String(format: "step %d/%d  t = %.3f ps  T = %.1f K  E_pot = %.6f eV  E_cons = %.6f eV",
                          s.step, s.totalSteps, s.time / 1000, s.system.temperature, s.result.energy, s.conservedEnergy)
        case .relax:
            return String(format: "step %d (max %d)  E = %.6f eV  fmax = %.3e eV/Å  V = %.3f Å³",
                          s.step, s.totalSteps, s.objective ?? s.result.energy, s.maxForce ?? 0, s.system.cell.volume)
        }
    }

    public func observe(_ s: Snapshot) throws {
        let now = Stopwatch.now()
        let elapsed = now - start
        guard interactive else {
            write(line(s) + String(format: "  [%@ elapsed]\n", Self.clock(elapsed)))
            return
        }
        guard now - lastDraw > 0.1 || s.step == s.totalSteps else { return }
        lastDraw = now
        let fraction = s.totalSteps > 0 ? Double(s.step) / Double(s.totalSteps) : 1
        let bar = ProgressBar().draw(fraction: fraction)
        let eta = s.step > 0 ? elapsed * (1 - fraction) / fraction : .nan
        write(ProgressBar.clearLine + String(format: "%@ %3.0f%% %@  ETA %@", bar, 100 * fraction, line(s), Self.clock(eta)))
    }

    public func close(status: String) throws {
        if interactive { write("\n") }
    }
}
