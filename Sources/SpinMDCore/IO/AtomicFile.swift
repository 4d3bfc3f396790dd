import Foundation

/// Writes whole files so that a reader (or a crash) never sees a half-written one.
public enum AtomicFile {
    /// Writes `text` to a temporary file beside `path`, then renames it over `path`.
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
    public static func write(_ bytes: [UInt8], to path: String) throws { try write(Data(bytes), to: path) }

    static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try data.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                throw SpinMDError.io(path: path, message: String(cString: strerror(errno)))
            }
        } catch let e as SpinMDError {
            try? FileManager.default.removeItem(at: temporary)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SpinMDError.io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }
}
