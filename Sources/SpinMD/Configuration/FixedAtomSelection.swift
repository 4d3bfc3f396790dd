import SpinMDCore

/// `structure.fixed_atoms`: the atoms to hold fixed, chosen in the input file. It replaces any
/// constraints of the structure file (an empty list keeps every atom free).
///
/// Either `{"indices": [0, 1, 5]}` (0-based, as ASE's `FixAtoms`; an array alone is short for
/// it), or a selection by any of `elements`, `z_below_A`, `z_above_A`, which must all hold
/// (e.g. the O atoms of the bottom layers). `directions` ("xyz" by default) fixes only some
/// Cartesian directions of the chosen atoms (e.g. "z").
public struct FixedAtomSelection {
    public var indices: [Int]?
    public var elements: Set<Element>?
    /// Select atoms with Cartesian z below / above these [Å] (positions as read, unwrapped).
    public var zBelow: Double?
    public var zAbove: Double?
    /// Bit k set: Cartesian direction k fixed.
    public var directions: UInt8 = 7
    let section: ConfigObject

    /// Reads `structure.fixed_atoms` (nil when absent).
    init?(_ structure: ConfigObject) throws {
        guard let raw = structure.raw("fixed_atoms") else { return nil }
        section = structure
        if case .array = raw.value {
            indices = try Self.indices(structure, "fixed_atoms")
            return
        }
        let o = try structure.object("fixed_atoms")
        if o.contains("indices") { indices = try Self.indices(o, "indices") }
        if o.contains("elements") { elements = Set(try o.elements("elements")) }
        zBelow = try o.optionalDouble("z_below_A")
        zAbove = try o.optionalDouble("z_above_A")
        if let d = try o.optionalString("directions") {
            let letters = Array(d.lowercased())
            guard !letters.isEmpty, letters.allSatisfy({ "xyz".contains($0) }), Set(letters).count == letters.count else {
                throw o.error("directions", "expected the fixed Cartesian directions as letters, e.g. \"xyz\" (whole atoms) or \"z\"")
            }
            let axes: [Character] = ["x", "y", "z"]
            directions = letters.reduce(0) { $0 | (1 << axes.firstIndex(of: $1)!) }
        }
        let selectors = elements != nil || zBelow != nil || zAbove != nil
        guard (indices != nil) != selectors else {
            throw structure.error("fixed_atoms", indices == nil
                ? "give the atoms to fix: \"indices\" (0-based), or a selection by \"elements\", \"z_below_A\", \"z_above_A\""
                : "give either \"indices\" or a selection (\"elements\", \"z_below_A\", \"z_above_A\"), not both")
        }
        try o.finish()
    }

    static func indices(_ o: ConfigObject, _ key: String) throws -> [Int] {
        let values = try o.optionalNumbers(key) ?? []
        guard values.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 1e9 }) else {
            throw o.error(key, "expected atom indices: integers from 0 (the first atom, as in ASE)")
        }
        return values.map { Int($0) }
    }

    /// The constraints this selection puts on `system`; errors name the key.
    func constraints(for system: AtomicSystem) throws -> MotionConstraints {
        var mask = [UInt8](repeating: 0, count: system.atomCount)
        if let indices {
            if let bad = indices.first(where: { $0 >= system.atomCount }) {
                throw section.error("fixed_atoms", "index \(bad) does not exist: the structure has \(system.atomCount) atoms (indices 0…\(system.atomCount - 1))")
            }
            for i in indices { mask[i] = directions }
        } else {
            for i in 0..<system.atomCount {
                let z = system.positions[i].z
                if let e = elements, !e.contains(system.species[i]) { continue }
                if let b = zBelow, !(z < b) { continue }
                if let a = zAbove, !(z > a) { continue }
                mask[i] = directions
            }
            guard mask.contains(where: { $0 != 0 }) else {
                throw section.error("fixed_atoms", "selects no atom of the structure (check the element names and the z bounds in Å)")
            }
        }
        return MotionConstraints(fixedMask: mask, frame: .cartesian, source: "input fixed_atoms")
    }
}
