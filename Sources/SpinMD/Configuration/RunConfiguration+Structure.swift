import Foundation
import SpinMDCore

extension RunConfiguration.StructureSource {
    /// Reads the `structure` section: a `file` (format from `format`, else from the name) or a
    /// `lattice` to build; relative paths are resolved against `baseDirectory`.
    init(_ s: ConfigObject, baseDirectory: String) throws {
        if let file = try s.optionalString("file") {
            let resolved = file.hasPrefix("/") ? file : URL(fileURLWithPath: baseDirectory).appendingPathComponent(file).path
            let lower = file.lowercased()
            let guess = lower.hasSuffix(".xyz") || lower.hasSuffix(".extxyz") ? "extxyz"
                : (lower.contains("poscar") || lower.contains("contcar") || lower.hasSuffix(".vasp") ? "poscar" : "")
            let format = try s.choice("format", ["extxyz", "poscar"], default: guess.isEmpty ? nil : guess)
            self = .file(path: resolved, format: format, frame: try s.int("frame", default: -1))
            guard FileManager.default.fileExists(atPath: resolved) else {
                throw s.error("file", "structure file '\(resolved)' does not exist")
            }
        } else if s.contains("lattice") {
            let lattice = try s.choice("lattice", CrystalBuilder.Lattice.allCases.map(\.rawValue))
            let elements = try s.elements("elements")
            let a = try s.double("a_A", .positive)
            let r = try s.optionalNumbers("repeat") ?? [1, 1, 1]
            guard r.count == 3, r.allSatisfy({ $0 >= 1 && $0 <= 1e4 && $0 == $0.rounded() }) else {
                throw s.error("repeat", "expected three positive integers, e.g. [4, 4, 4]")
            }
            // NOTE: a bound on the input, not the machine: 10⁶ conventional cells (≤ 8·10⁶ atoms).
            guard r[0] * r[1] * r[2] <= 1e6 else {
                throw s.error("repeat", "builds \(Int(r[0] * r[1] * r[2])) cells; a built crystal may have at most 1000000 (read larger systems from a structure file)")
            }
            self = .crystal(lattice: CrystalBuilder.Lattice(rawValue: lattice)!, elements: elements, a: a, repeats: SIMD3(Int(r[0]), Int(r[1]), Int(r[2])))
        } else {
            throw s.missing("file", "a structure file (extxyz or POSCAR), or a 'lattice' to build")
        }
        try s.finish()
    }
}

extension RunConfiguration {
    /// Reads the root key `initial_magmoms`: a MAGMOM string or an array of collinear moments
    /// [μB], an array of [x, y, z] moments [μB], or a named ordering `{"ordering": …, "moments_uB": …}`.
    static func initialMoments(_ root: ConfigObject) throws -> (MagneticMoments?, MagneticOrdering?) {
        guard let m = root.raw("initial_magmoms") else { return (nil, nil) }
        switch m.value {
        case let .string(text):
            do { return (.collinear(try MagmomParser.parse(text)), nil) } catch let e as SpinMDError {
                throw root.error("initial_magmoms", "bad MAGMOM string: \(e.description)")
            }
        case let .array(items):
            if items.allSatisfy({ if case .number = $0.value { return true } else { return false } }) {
                return (.collinear(try root.optionalNumbers("initial_magmoms")!), nil)
            }
            return (.vector(try items.map { item in
                guard case let .array(v) = item.value, v.count == 3,
                      case let .number(x) = v[0].value, case let .number(y) = v[1].value, case let .number(z) = v[2].value else {
                    throw root.error("initial_magmoms", line: item.line, "expected numbers (collinear) or [x, y, z] triples (vectors) in μB")
                }
                return Vector3(x, y, z)
            }), nil)
        case .object:
            let o = try root.object("initial_magmoms")
            let ordering = try MagneticOrdering(o)
            try o.finish()
            return (nil, ordering)
        default:
            throw root.error("initial_magmoms", "expected a MAGMOM string such as \"2*2 2*-2 4*0\", an array of moments in μB, or {\"ordering\": \"afm2\", \"moments_uB\": {\"Ni\": 2}}")
        }
    }

    /// Reads |m| [μB] per element from an object such as `{"Ni": 2, "O": 0}`.
    static func magnitudes(_ o: ConfigObject) throws -> [Element: Double] {
        var m: [Element: Double] = [:]
        for key in o.keys {
            guard let e = Element(symbol: key) else { throw o.error(key, "expected an element symbol as key") }
            m[e] = try o.double(key, .nonNegative)
        }
        try o.finish()
        return m
    }
}

extension RunConfiguration.MagneticOrdering {
    /// Reads `{"ordering": "afm2", "moments_uB": {"Ni": 2}}`.
    init(_ o: ConfigObject) throws {
        let name = try o.choice("ordering", RocksaltOrdering.allCases.map(\.rawValue))
        let magnitudes = try RunConfiguration.magnitudes(try o.object("moments_uB"))
        guard !magnitudes.isEmpty else { throw o.error("moments_uB", "give the |m| of at least one magnetic element, e.g. {\"Ni\": 2}") }
        self.init(ordering: RocksaltOrdering(rawValue: name)!, magnitudes: magnitudes)
    }
}
