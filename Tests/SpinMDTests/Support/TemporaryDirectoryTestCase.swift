import Foundation
import XCTest

/// A test case with a fresh, empty directory for every test, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("spinmd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The path of `name` inside the test's directory.
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
