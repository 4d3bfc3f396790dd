import Foundation
import SpinMDCore

/// An exclusive lock on a run's output directory, held for the life of the run: `flock` on
/// `<directory>/.spinmd.lock`, which records the holder's pid, host and start time. The kernel
/// releases the lock when the process ends, even by SIGKILL; the file stays but blocks nobody.
public final class OutputDirectoryLock {
    public static let fileName = ".spinmd.lock"
    public let path: String
    private var descriptor: Int32

    /// Takes the lock, or throws `SpinMDError.io` naming the run that holds it (pid, host,
    /// start time).
    public init(directory: String) throws {
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SpinMDError.io(path: path, message: "cannot create the output directory's lock file: \(String(cString: strerror(errno)))")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            // The holder writes its record just after taking the lock: wait briefly for it.
            var holder = ""
            for _ in 0..<50 {
                holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if holder.hasSuffix("Z") { break }
                usleep(20_000)
            }
            close(descriptor)
            descriptor = -1
            guard reason == EWOULDBLOCK else {
                throw SpinMDError.io(path: path, message: "cannot lock the output directory: \(String(cString: strerror(reason)))")
            }
            throw SpinMDError.io(path: directory, message: "is in use by another spinmd run (\(holder.isEmpty ? "holder unknown" : holder)); wait for it to end or choose another output directory")
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let started = ISO8601DateFormatter().string(from: Date())
        let record = "pid \(getpid()) on \(String(cString: host)), started \(started)\n"
        _ = ftruncate(descriptor, 0)
        _ = record.withCString { write(descriptor, $0, strlen($0)) }
    }

    /// Releases the lock (also done by the kernel when the process ends).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
