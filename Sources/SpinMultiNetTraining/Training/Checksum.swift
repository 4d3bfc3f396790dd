import Crypto
import Foundation
import SpinMultiNet
import SpinMDCore

/// Content hashes for provenance and resume checks.
public enum Checksum {
    /// Lower-case hex SHA-256.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
