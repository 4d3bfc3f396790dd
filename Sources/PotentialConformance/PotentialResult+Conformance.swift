import SpinMD
import SpinMDCore

/// The expected result of a transformed system, built from the reference result, and the
/// comparison of two results.
extension PotentialResult {
    /// Forces and virial under r → R·r; moments as axial vectors, m → det(R)·R·m, collinear ones
    /// as vectors along ẑ (they become vectors along det(R)·R·ẑ).
    func transformed(by r: Matrix3) -> PotentialResult {
        var out = self
        out.forces = forces?.map { r.apply($0) }
        out.virial = virial.map { r * $0 * r.transpose }
        out.magneticMoments = magneticMoments.map { .vector(PotentialConformance.axial($0, r)) }
        return out
    }

    /// Per-atom quantities reordered: atom k of the result is atom `order[k]` of this one.
    func permuted(_ order: [Int]) -> PotentialResult {
        var out = self
        out.forces = forces.map { f in order.map { f[$0] } }
        out.atomicEnergies = atomicEnergies.map { e in order.map { e[$0] } }
        switch magneticMoments {
        case let .collinear(m)?: out.magneticMoments = .collinear(order.map { m[$0] })
        case let .vector(m)?: out.magneticMoments = .vector(order.map { m[$0] })
        case nil: break
        }
        return out
    }

    /// Moments negated (time reversal).
    func timeReversed() -> PotentialResult {
        var out = self
        switch magneticMoments {
        case let .collinear(m)?: out.magneticMoments = .collinear(m.map { -$0 })
        case let .vector(m)?: out.magneticMoments = .vector(m.map { -$0 })
        case nil: break
        }
        return out
    }

    /// The result of `copies` replicas: extensive totals multiplied, per-atom quantities repeated.
    func replicated(_ copies: Int) -> PotentialResult {
        let k = Double(copies)
        var out = self
        out.energy = k * energy
        out.virial = virial.map { k * $0 }
        out.forces = forces.map { f in Array((0..<copies).map { _ in f }.joined()) }
        out.atomicEnergies = atomicEnergies.map { e in Array((0..<copies).map { _ in e }.joined()) }
        switch magneticMoments {
        case let .collinear(m)?: out.magneticMoments = .collinear(Array((0..<copies).map { _ in m }.joined()))
        case let .vector(m)?: out.magneticMoments = .vector(Array((0..<copies).map { _ in m }.joined()))
        case nil: break
        }
        return out
    }

    /// The first quantity where `actual` differs from this (expected) result by more than
    /// `tolerance`·max(1, largest |value|), or nil. Quantities this result lacks are not compared.
    func mismatch(_ actual: PotentialResult, tolerance: Double) -> String? {
        func check(_ name: String, _ expected: [Double], _ got: [Double]) -> String? {
            guard expected.count == got.count else { return "\(name): \(got.count) values, expected \(expected.count)" }
            let scale = max(1, expected.map(abs).max() ?? 0)
            var worst = 0.0, at = 0
            for i in expected.indices {
                let d = abs(expected[i] - got[i])
                if !(d <= worst) { worst = d; at = i }
            }
            return worst <= tolerance * scale ? nil
                : "\(name) differs by \(worst) (component \(at): expected \(expected[at]), got \(got[at])); allowed \(tolerance * scale)"
        }
        if let m = check("energy", [energy], [actual.energy]) { return m }
        if let f = forces {
            guard let g = actual.forces else { return "no forces" }
            if let m = check("forces", f.flattened, g.flattened) { return m }
        }
        if let w = virial {
            guard let v = actual.virial else { return "no virial" }
            if let m = check("virial", w.flat, v.flat) { return m }
        }
        if let e = atomicEnergies {
            guard let a = actual.atomicEnergies else { return "no per-atom energies" }
            if let m = check("per-atom energies", e, a) { return m }
        }
        switch (magneticMoments, actual.magneticMoments) {
        case (nil, _): break
        case let (.collinear(m)?, .collinear(n)?): if let d = check("moments", m, n) { return d }
        case let (.vector(m)?, .vector(n)?): if let d = check("moments", m.flattened, n.flattened) { return d }
        default: return "moments \(String(describing: actual.magneticMoments)), expected the kind of \(String(describing: magneticMoments))"
        }
        return nil
    }

    /// Whether every quantity has the same bits as in `other`.
    func isBitwiseEqual(to other: PotentialResult) -> Bool {
        energy.bitPattern == other.energy.bitPattern && forces == other.forces && virial == other.virial
            && atomicEnergies == other.atomicEnergies && magneticMoments == other.magneticMoments
    }
}
