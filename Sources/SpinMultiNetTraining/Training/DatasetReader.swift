import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet

/// Reads labelled frames from extended XYZ files as ASE writes them (`energy`, `stress` in the
/// comment line; `forces`, `initial_magmoms`, `magmoms` columns) and checks them against a model.
public struct DatasetReader {
    /// Elements of the model, in its order.
    public var species: [Element]
    /// Interaction cutoff [Å] of the graphs.
    public var cutoff: Double
    /// Per-element spin input [μB] for frames without `initial_magmoms` (signed by the frame's
    /// `magmoms` when it has them).
    public var defaultInitialMoments: [Element: Double] = [:]
    /// Where the defaults come from, for the error message ("train.json: key 'data.initial_magmoms'").
    public var defaultsLocation = "the training configuration's 'data.initial_magmoms'"
    /// The names of the labels in the files (`energy`, `forces`, ... unless set).
    public var keys = LabelKeys()
    /// Closest approach of two atoms a frame may have [Å] (as `min_distance_A`'s default for runs):
    /// closer atoms are a broken structure, and at distance 0 the model is not defined.
    public static let minimumDistance = 0.5
    /// Largest per-atom label (force component [eV/Å], moment [μB]) a frame may hold; errors of
    /// larger ones would overflow the error statistics.
    public static let largestLabel = 1e6

    public init(species: [Element], cutoff: Double) {
        self.species = species
        self.cutoff = cutoff
    }

    /// Every frame of `path`.
    public func read(path: String) throws -> [LabelledFrame] {
        try ExtendedXYZ.read(path: path).enumerated().map { k, f in try frame(f, file: path, index: k) }
    }

    func frame(_ f: ExtendedXYZ.Frame, file: String, index: Int) throws -> LabelledFrame {
        let source = "\(file):\(f.line) (frame \(index + 1))"
        func fail(_ message: String) -> SpinMDError { .parse(file: file, line: f.line, message: "frame \(index + 1): \(message)") }
        var system = f.system
        let n = system.atomCount
        var speciesIndex: [Int] = []
        for e in system.species {
            guard let s = species.firstIndex(of: e) else {
                throw fail("element \(e.symbol) is not among the model's species (\(species.map(\.symbol).joined(separator: ", "))); add it to the model's \"species\"")
            }
            speciesIndex.append(s)
        }
        func column(_ name: String) throws -> [[Double]]? {
            guard let c = f.arrays[name] else { return nil }
            guard c.count == n else { throw fail("column '\(name)' has \(c.count) rows for \(n) atoms") }
            if let x = c.joined().first(where: { !(abs($0) <= Self.largestLabel) }) {
                throw fail("column '\(name)' holds \(x); labels beyond \(Self.largestLabel) (eV/Å, μB) are not physical")
            }
            return c
        }
        func moments(_ name: String) throws -> MagneticMoments? {
            guard let c = try column(name) else { return nil }
            switch c[0].count {
            case 1: return .collinear(c.map { $0[0] })
            case 3: return .vector(c.map { Vector3($0[0], $0[1], $0[2]) })
            default: throw fail("column '\(name)' must have 1 (collinear) or 3 (vector) components, found \(c[0].count)")
            }
        }
        func number(_ key: String) throws -> Double? {
            guard let text = f.info[key] else { return nil }
            guard let x = Double(text) else { throw fail("'\(key)=\(text)' is not a number") }
            guard abs(x) <= 1e12 else { throw fail("'\(key)' is \(text.abbreviated()); remove the frame or its label") }
            return x
        }
        for label in LabelKeys.labels.sorted() where keys.required.contains(label) {
            let key = keys.key(label)
            let present = ["energy", "stress"].contains(label) ? f.info[key] != nil : f.arrays[key] != nil
            guard present else {
                let place = ["energy", "stress"].contains(label) ? "comment-line key" : "column"
                throw fail("no \(place) '\(key)' (the \(label) label asked for); the frame has \(["energy", "stress"].contains(label) ? "keys " + f.info.keys.sorted().joined(separator: ", ") : "columns " + f.arrays.keys.sorted().joined(separator: ", "))")
            }
        }
        let energy = try number(keys.energy)
        var forces: [Vector3]? = nil
        if let c = try column(keys.forces) {
            guard c[0].count == 3 else { throw fail("column '\(keys.forces)' must have 3 components") }
            forces = c.map { Vector3($0[0], $0[1], $0[2]) }
        }
        var stress: Matrix3? = nil
        if let text = f.info[keys.stress] {
            let v = text.split(separator: " ").map { Double($0) }
            guard v.count == 9 || v.count == 6, v.allSatisfy({ $0.map { abs($0) <= Self.largestLabel } == true }) else {
                throw fail("'\(keys.stress)' must hold 9 (3×3) or 6 (Voigt xx yy zz yz xz xy) numbers of magnitude at most 1e6 eV/Å³, found '\(text)'")
            }
            let s = v.map { $0! }
            stress = s.count == 9 ? Matrix3(s) : Matrix3([s[0], s[5], s[4], s[5], s[1], s[3], s[4], s[3], s[2]])
        }
        let target = try moments(keys.magmoms)
        var initial = try moments(keys.initialMagmoms)
        if initial == nil {
            let missing = Set(system.species.filter { defaultInitialMoments[$0] == nil }).map(\.symbol).sorted()
            guard missing.isEmpty else {
                throw fail("no '\(keys.initialMagmoms)' column (the spin input); give per-element defaults in \(defaultsLocation), e.g. {\(missing.map { "\"\($0)\": 2.0" }.joined(separator: ", "))} (signs are taken from the frame's 'magmoms')")
            }
            let signs: [Double]
            switch target {
            case let .collinear(m)?: signs = m.map { $0 < 0 ? -1 : 1 }
            default: signs = Array(repeating: 1, count: n)
            }
            initial = .collinear(system.species.enumerated().map { i, e in signs[i] * abs(defaultInitialMoments[e]!) })
        }
        if let t = target {
            switch (initial!, t) {
            case (.collinear, .collinear), (.vector, .vector): break
            default: throw fail("'initial_magmoms' and 'magmoms' must both be collinear (1 column) or both vectors (3 columns)")
            }
        }
        system.initialMagneticMoments = initial
        do { try Simulation.checkOverlaps(system, minimum: Self.minimumDistance) } catch let e as SpinMDError { throw fail(e.description) }
        var info = f.info
        info[keys.energy] = nil; info[keys.stress] = nil
        return LabelledFrame(system: system, speciesIndex: speciesIndex, cutoff: cutoff, energy: energy, forces: forces,
                             moments: target, stress: stress, info: info, source: source, file: file, index: index)
    }
}
