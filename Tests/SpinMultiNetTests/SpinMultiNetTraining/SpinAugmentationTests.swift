import XCTest
import SpinMD
@testable import SpinMultiNet
@testable import SpinMDCore
@testable import SpinMultiNetPotential
@testable import SpinMultiNetTraining

final class SpinAugmentationTests: XCTestCase {
    /// Magnitude augmentation keeps every sign, stays inside [0.8·min, 1.2·max] of estimate and
    /// target, and gives atoms estimated at 0 μB either exactly 0 or a moment along their target,
    /// each in about half of the draws; the spin axis is random but shared by inputs and targets.
    func testMagnitudesKeepSignsAndZeroEstimatesAreZeroInHalfTheDraws() throws {
        let model = try TestModels.model()
        let frame = try TrainingGradientTests.labelledFrame(model, seed: 4)   // Ni ±2, O 0; targets 1.7, −1.8, 0.1, −0.05
        let initial = frame.initialMoments.vectors(axis: Vector3(0, 0, 1)).map(\.z)
        let target = frame.moments!.vectors(axis: Vector3(0, 0, 1)).map(\.z)
        let sampler = SpinInputSampler(augmentation: TrainingConfiguration.Augmentation())
        var g = SeededGenerator(seed: 21)
        var zeroDraws = 0
        let draws = 400
        for _ in 0..<draws {
            let (inputs, targets, axis) = sampler.draw(frame, &g)
            let e = try XCTUnwrap(axis)
            XCTAssertEqual(e.norm, 1, accuracy: 1e-12)
            for i in inputs.indices {
                XCTAssertLessThan((inputs[i] - inputs[i].dot(e) * e).norm, 1e-12, "inputs stay on the spin axis")
                XCTAssertLessThan((targets![i] - target[i] * e).norm, 1e-12, "targets are rotated with the inputs")
                let m = inputs[i].dot(e)
                let lo = 0.8 * min(abs(initial[i]), abs(target[i])), hi = 1.2 * max(abs(initial[i]), abs(target[i]))
                if initial[i] != 0 {
                    XCTAssertEqual(m.sign, initial[i].sign, "atom \(i) keeps the sign of its estimate")
                    XCTAssertTrue(abs(m) >= lo - 1e-12 && abs(m) <= hi + 1e-12, "atom \(i): |m| = \(abs(m)) outside [\(lo), \(hi)]")
                } else {
                    XCTAssertTrue(m == 0 || m.sign == target[i].sign, "atom \(i) starts along its target or at 0")
                    XCTAssertLessThanOrEqual(abs(m), hi + 1e-12)
                }
            }
            if inputs[2] == .zero && inputs[3] == .zero { zeroDraws += 1 }
        }
        // Binomial(400, 1/2): ±5σ is ±50.
        XCTAssertEqual(Double(zeroDraws), Double(draws) / 2, accuracy: 50, "zero estimates stay zero in half the draws")
    }

    /// With `zero_moment_range_uB` r, atoms estimated at 0 μB that do not stay at 0 span [−r, r]
    /// with both signs (not just their target's), while the other atoms are drawn as before.
    func testZeroMomentRangeSpansBothSignsUpToTheRange() throws {
        let model = try TestModels.model()
        let frame = try TrainingGradientTests.labelledFrame(model, seed: 4)   // Ni ±2, O 0
        let initial = frame.initialMoments.vectors(axis: Vector3(0, 0, 1)).map(\.z)
        var augmentation = TrainingConfiguration.Augmentation()
        augmentation.zeroMomentRange = 1.0
        let sampler = SpinInputSampler(augmentation: augmentation)
        var g = SeededGenerator(seed: 22)
        var oxygen: [Double] = []
        for _ in 0..<400 {
            let (inputs, _, axis) = sampler.draw(frame, &g)
            let e = try XCTUnwrap(axis)
            for i in inputs.indices where initial[i] != 0 {
                XCTAssertEqual(inputs[i].dot(e).sign, initial[i].sign, "atom \(i) keeps the sign of its estimate")
            }
            oxygen += [inputs[2].dot(e), inputs[3].dot(e)].filter { $0 != 0 }
        }
        XCTAssertTrue(oxygen.allSatisfy { abs($0) <= 1.0 + 1e-12 })
        XCTAssertGreaterThan(oxygen.max()!, 0.8)
        XCTAssertLessThan(oxygen.min()!, -0.8, "both signs, whatever the target's")
        XCTAssertGreaterThan(oxygen.count, 300, "non-zero in about half of 800 atom-draws")
    }
}
