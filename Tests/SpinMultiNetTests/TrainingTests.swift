import XCTest
import SpinMD
@testable import SpinMultiNet

final class TrainingGradientTests: XCTestCase {
    /// A NiO frame with random labels of every kind.
    static func labelledFrame(_ model: SpinMultiNetModel, seed: UInt64) throws -> LabelledFrame {
        let s = try TestModels.nio(rattle: 0.15, seed: seed)
        var g = SeededGenerator(seed: seed + 100)
        let n = s.atomCount
        let stress = Matrix3((0..<9).map { _ in 0.01 * g.nextGaussian() }).symmetricPart
        return LabelledFrame(system: s, speciesIndex: s.species.map { model.speciesIndex($0)! }, cutoff: model.configuration.cutoff,
                             energy: -20 + g.nextGaussian(), forces: (0..<n).map { _ in Vector3(g.nextGaussian(), g.nextGaussian(), g.nextGaussian()) },
                             moments: .collinear([1.7, -1.8, 0.1, -0.05]), stress: stress)
    }

    func testFullLossGradientEqualsFiniteDifferencesInTheWeights() throws {
        let model = try TestModels.magneticModel()
        let frame = try Self.labelledFrame(model, seed: 5)
        var w = LossWeights()
        w.energy = 3; w.forces = 2; w.moments = 1.5; w.stress = 50; w.deviatoricStress = false
        let inputs = frame.initialMoments.vectors(axis: Vector3(0, 0, 1)).map { 1.1 * $0 + Vector3(0.05, -0.02, 0.01) }
        let targets = frame.moments!.vectors(axis: Vector3(0, 0, 1))
        var gradients: [String: [Double]] = [:]
        _ = FrameLoss.evaluate(model, frame, inputs: inputs, targets: targets, weights: w, gradients: &gradients)
        func loss() -> Double { FrameLoss.evaluate(model, frame, inputs: inputs, targets: targets, weights: w).0.total }
        var g = SeededGenerator(seed: 9)
        var worst = 0.0
        for name in model.weights.keys.sorted() {
            let values = model.weights[name]!
            XCTAssertEqual(gradients[name]?.count, values.count, name)
            for _ in 0..<3 {
                let q = Int(g.next() % UInt64(values.count))
                let h = 1e-5
                var plus = values; plus[q] += h
                model.weights[name] = plus
                let lp = loss()
                var minus = values; minus[q] -= h
                model.weights[name] = minus
                let lm = loss()
                model.weights[name] = values
                let fd = (lp - lm) / (2 * h), analytic = gradients[name]![q]
                let error = abs(fd - analytic) / max(1e-3, abs(fd))
                worst = max(worst, error)
                XCTAssertLessThan(error, 1e-5, "\(name)[\(q)]: analytic \(analytic), finite difference \(fd)")
            }
        }
        print("largest relative gradient error: \(worst)")
    }
}
