import XCTest
import SpinMD
@testable import SpinMDCore

/// Forces, sums, symmetries, cutoff continuity and threads: LennardJonesConformanceTests.
final class LennardJonesTests: XCTestCase {
    /// Energy continuity at the cutoff is in the conformance battery; `smooth` also has a
    /// continuous force there.
    func testSmoothForceVanishesAtTheCutoff() throws {
        let rc = 8.5
        let smooth = LennardJones(parameters: [Fixtures.argon: .init(epsilon: 0.0104, sigma: 3.4)], cutoff: rc, truncation: .smooth)
        XCTAssertEqual(smooth.evaluate(r2: (rc - 1e-7) * (rc - 1e-7), 0, 0).forceOverR, 0, accuracy: 1e-12)
    }
}
