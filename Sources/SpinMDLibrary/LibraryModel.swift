import CSpinMD
import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet
import SpinMultiNetPotential

/// What a `spinmd_model *` handle points to: a SpinMultiNet potential and its warm start.
///
/// Calls are serialised by `lock`, so a handle may be shared between threads; the warm start
/// (the self-consistent spins of the previous evaluations) belongs to the handle.
final class LibraryModel {
    let potential: SpinMultiNetPotential
    let lock = NSLock()
    /// Species and initial moments of the last evaluation: a change of either starts the spins
    /// afresh, so the previous structure's solution never steers the next one's.
    private var lastInput: (species: [Element], moments: MagneticMoments)?
    /// Built to the cutoff + 1 Å (the skin of `spinmd run`) and reused while no atom has moved
    /// more than half the skin and the cell is the same: along MD or a relaxation most calls
    /// build no list, as in `spinmd run`.
    private var neighbors: VerletNeighborList
    /// Tags, species and estimates of the local atoms of the last `evaluateLocal`: the warm start
    /// follows the tags and is forgotten when the atoms, species or estimates change.
    var lastLocalInput: (tags: [Int64], species: [Element], estimates: [Vector3])?
    static let skin = 1.0

    init(path: String, options: spinmd_options) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw LibraryError(SPINMD_ERROR_MODEL_FILE, "model file '\(path)' does not exist") }
        let members: [Int]?
        if options.member_count > 0 {
            guard let m = options.members else { throw LibraryError.invalidArgument("members is NULL but member_count is \(options.member_count)") }
            members = (0..<Int(options.member_count)).map { Int(m[$0]) }
        } else {
            guard options.member_count == 0 else { throw LibraryError.invalidArgument("member_count is \(options.member_count); expected 0 (all members) or more") }
            members = nil
        }
        guard options.threads >= 0 else { throw LibraryError.invalidArgument("threads is \(options.threads); expected 0 (default) or more") }
        let committee: SpinMultiNetCommittee
        do {
            committee = try SpinMultiNetPotential.committee(path: path, members: members)
        } catch let e as SpinMultiNetPotential.MemberSelectionError {
            throw e
        } catch {
            throw LibraryError(SPINMD_ERROR_MODEL_FILE, "\(path): \(error)")
        }
        committee.executor = ParallelExecutor(threads: options.threads == 0 ? nil : Int(options.threads))
        potential = SpinMultiNetPotential(committee: committee, mode: try Self.mode(options))
        neighbors = VerletNeighborList(cutoff: committee.cutoff, skin: Self.skin, kind: .full, executor: committee.executor)
    }

    /// The spin mode of `options`, zero fields taking `SpinMode.defaults`.
    static func mode(_ o: spinmd_options) throws -> SpinMode {
        switch o.spins {
        case Int32(SPINMD_SPINS_FIXED.rawValue): return .fixed
        case Int32(SPINMD_SPINS_SELF_CONSISTENT.rawValue):
            let d = SpinMode.defaults
            func positive(_ x: Double, _ name: String, _ fallback: Double) throws -> Double {
                if x == 0 { return fallback }
                guard x > 0, x.isFinite else { throw LibraryError.invalidArgument("\(name) is \(x); expected a positive number (0 for the default \(fallback))") }
                return x
            }
            let mixing = try positive(o.mixing, "mixing", d.mixing)
            guard mixing <= 1 else { throw LibraryError.invalidArgument("mixing is \(mixing); expected a number in (0, 1]") }
            guard o.max_iterations >= 0 else { throw LibraryError.invalidArgument("max_iterations is \(o.max_iterations); expected a positive number (0 for the default \(d.maxIterations))") }
            return .selfConsistent(tolerance: try positive(o.tolerance_uB, "tolerance_uB", d.tolerance),
                                   adjointTolerance: try positive(o.adjoint_tolerance_eV_per_uB, "adjoint_tolerance_eV_per_uB", d.adjointTolerance),
                                   maxIterations: o.max_iterations == 0 ? d.maxIterations : Int(o.max_iterations), mixing: mixing)
        default:
            throw LibraryError.invalidArgument("spins is \(o.spins); expected \(SPINMD_SPINS_SELF_CONSISTENT.rawValue) (self-consistent) or \(SPINMD_SPINS_FIXED.rawValue) (fixed)")
        }
    }

    /// Forgets the warm start.
    func resetSpins() {
        lock.withLock {
            potential.setSpinState(nil)
            lastInput = nil
            lastLocalInput = nil
        }
    }

    /// Evaluates `request` for `system` into `out` (whose requested arrays the caller sized).
    func evaluate(_ input: spinmd_system, request bits: Int32, into out: inout spinmd_results) throws {
        let request = try Self.request(bits, results: out)
        try lock.withLock {
            var system = try SystemInput.read(input, cutoff: potential.cutoff, radius: potential.cutoff + Self.skin)
            try potential.checkSupports(system.species)
            let moments = system.initialMagneticMoments!
            if let last = lastInput, last.species != system.species || last.moments != moments { potential.setSpinState(nil) }
            lastInput = (system.species, moments)
            // Wrapped at every call (`spinmd run` wraps on a rebuild only, but its positions stay
            // wrapped), so that positions the caller never wraps compare with the list's reference,
            // and wrapped once, so that equal inputs give equal positions, list and results.
            system.wrapPositions()
            if neighbors.needsRebuild(positions: system.positions, cell: system.cell) {
                neighbors.restore(referencePositions: system.positions, cell: system.cell)
            }
            let list = neighbors.list!
            let modelStart = Stopwatch.now()
            let r = try potential.evaluate(system, neighbors: list, request: request)
            out.model_seconds = Stopwatch.now() - modelStart
            try Self.requireFinite(r)
            write(r, system: system, request: request, into: &out)
        }
    }

    /// The request of `bits` (the energy always), once every requested array of `out` is given.
    static func request(_ bits: Int32, results out: spinmd_results) throws -> EvaluationRequest {
        guard bits >= 0, bits < 1 << 5 else { throw LibraryError.invalidArgument("request is \(bits); expected a combination of the SPINMD_REQUEST_* bits") }
        let request = EvaluationRequest(rawValue: Int(bits)).union(.energy)
        let wanted: [(EvaluationRequest, UnsafeMutablePointer<Double>?, String)] = [
            (.forces, out.forces, "forces"), (.virial, out.virial, "virial"),
            (.atomicEnergies, out.atomic_energies, "atomic_energies"), (.magneticMoments, out.moments, "moments"),
        ]
        for (bit, pointer, name) in wanted where request.contains(bit) && pointer == nil {
            throw LibraryError.invalidArgument("results.\(name) is NULL but was requested")
        }
        return request
    }

    static func requireFinite(_ r: PotentialResult) throws {
        let finite = r.energy.isFinite && (r.forces ?? []).allSatisfy(\.isFinite) && (r.virial?.isFinite ?? true)
            && (r.atomicEnergies ?? []).allSatisfy(\.isFinite) && (r.magneticMoments?.vectors().allSatisfy(\.isFinite) ?? true)
        guard finite else { throw LibraryError(SPINMD_ERROR_NON_FINITE, "the model returned a non-finite energy, force, virial or moment for this structure") }
    }

    private func write(_ r: PotentialResult, system: AtomicSystem, request: EvaluationRequest, into out: inout spinmd_results) {
        out.energy = r.energy
        if request.contains(.forces), let f = r.forces, let p = out.forces {
            for i in f.indices { (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = (f[i].x, f[i].y, f[i].z) }
        }
        if request.contains(.virial), let w = r.virial, let p = out.virial {
            for (k, x) in w.flat.enumerated() { p[k] = x }
        }
        if request.contains(.atomicEnergies), let e = r.atomicEnergies, let p = out.atomic_energies {
            for i in e.indices { p[i] = e[i] }
        }
        if request.contains(.magneticMoments), let m = r.magneticMoments, let p = out.moments {
            switch (system.initialMagneticMoments!, m) {
            case let (.collinear, .collinear(values)):
                for i in values.indices { p[i] = values[i] }
            case (.collinear, .vector):
                for (i, v) in m.vectors().enumerated() { p[i] = v.dot(MagneticMoments.spinAxis) }
            case (.vector, _):
                for (i, v) in m.vectors().enumerated() { (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = (v.x, v.y, v.z) }
            }
        }
        let names = potential.diagnosticNames
        func diagnostic(_ name: String) -> Double? { names.firstIndex(of: name).flatMap { $0 < r.diagnostics.count ? r.diagnostics[$0] : nil } }
        out.spin_iterations = Int32(diagnostic("spin_iterations") ?? 0)
        out.adjoint_iterations = Int32(diagnostic("adjoint_iterations") ?? 0)
        out.flipped_atoms = Int32(diagnostic("spin_flips") ?? 0)
        out.energy_spread_per_atom = diagnostic("committee_energy_std_eV_per_atom") ?? .nan
        out.force_spread = diagnostic("committee_force_std_max_eV_per_A") ?? .nan
    }
}
