import Foundation

/// The built `spinmd` executable run as a child process, as a user runs it: the shared helper of
/// the CLI and robustness tests.
public enum SpinMDProcess {
    /// How a run ended.
    public struct Outcome: Sendable {
        /// The exit status, or the signal number when `signaled`.
        public var status: Int32
        /// The process ended by a signal (a crash, or the kill after `timeout`).
        public var signaled: Bool
        /// Killed after running longer than the time limit.
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
        /// [s]
        public var seconds: Double
    }

    /// The built executable, next to the test bundle.
    public static var executable: URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("spinmd")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Bundle.main.bundleURL.appendingPathComponent("spinmd")
    }

    /// Runs `spinmd arguments` in `directory` and waits for it. With `timeout` [s] the process is
    /// killed (SIGKILL) when it runs longer; with `memoryLimitMB` its address space is capped
    /// (`ulimit -v`), so a runaway allocation fails inside the child instead of exhausting the
    /// machine. Output goes through files (no pipe can fill up and block the child).
    public static func run(_ arguments: [String], in directory: URL, timeout: Double? = nil, memoryLimitMB: Int? = nil) throws -> Outcome {
        let p = Process()
        if let memoryLimitMB {
            // `exec` keeps the process id, so the exit status and signal are spinmd's own.
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "ulimit -v \(memoryLimitMB * 1024) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            p.executableURL = executable
            p.arguments = arguments
        }
        p.currentDirectoryURL = directory
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout"), errURL = capture.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let start = Date()
        try p.run()
        var timedOut = false
        if let timeout {
            while p.isRunning {
                if Date().timeIntervalSince(start) > timeout {
                    timedOut = true
                    kill(p.processIdentifier, SIGKILL)
                    break
                }
                usleep(5_000)
            }
        }
        p.waitUntilExit()
        try? out.close()
        try? err.close()
        let read = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
        return Outcome(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, timedOut: timedOut,
                       stdout: read(outURL), stderr: read(errURL), seconds: Date().timeIntervalSince(start))
    }
}
