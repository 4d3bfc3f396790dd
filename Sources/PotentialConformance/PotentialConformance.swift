import SpinMD
import SpinMDCore

/// A battery of property checks that every `Potential` must pass (`ConformanceCheck` lists them
/// with their tolerances). A test runs it on a new potential in one line:
///
///     let report = PotentialConformance(makePotential: { threads in ... }, systems: [...]).run()
///     XCTAssertTrue(report.failures.isEmpty, "\(report)")
///
/// `makePotential(threads)` builds the potential evaluated on that many threads. Every
/// evaluation starts cold (`restore(from: nil)`), so results depend on the input only.
/// The systems should be rattled (non-zero forces), and at least one fully periodic; their
/// first two atoms give the species (and moments) of the cutoff dimer.
public struct PotentialConformance {
    public let makePotential: (_ threads: Int) throws -> any Potential
    public let systems: [AtomicSystem]
    public let options: [ConformanceOption]
    public let tolerances: ConformanceTolerances
    /// Seed of the random rotations and permutations.
    public var seed: UInt64 = 2026

    public init(makePotential: @escaping (_ threads: Int) throws -> any Potential, systems: [AtomicSystem],
                options: [ConformanceOption] = [], tolerances: ConformanceTolerances = .standard) {
        self.makePotential = makePotential
        self.systems = systems
        self.options = options
        self.tolerances = tolerances
    }

    /// Runs every check on every system it applies to.
    public func run() -> ConformanceReport {
        var report = ConformanceReport()
        let potential: any Potential
        do { potential = try makePotential(1) } catch {
            report.failures.append(ConformanceFailure(check: .finiteDifferences, system: "-", message: "makePotential(1) threw \(error)"))
            return report
        }
        for check in ConformanceCheck.allCases {
            if let reason = skipReason(check) { report.skipped.append("\(check.rawValue): \(reason)"); continue }
            let expected = expectedFailureReason(check)
            var failed: [ConformanceFailure] = []
            var ran = false
            for (index, system) in systems.enumerated() {
                let name = label(index, system)
                guard applies(check, to: system) else { continue }
                ran = true
                do {
                    if let message = try run(check, potential, system) {
                        failed.append(ConformanceFailure(check: check, system: name, message: message))
                    } else {
                        report.passed.append("\(check.rawValue) on \(name)")
                    }
                } catch {
                    failed.append(ConformanceFailure(check: check, system: name, message: "threw \(error)"))
                }
            }
            if let reason = expected {
                if failed.isEmpty && ran {
                    report.failures.append(ConformanceFailure(check: check, system: "all", message: "passed although marked as an expected failure (\(reason)): remove the mark"))
                }
                report.expectedFailures += failed.map { f in var f = f; f.message += " [expected: \(reason)]"; return f }
            } else {
                report.failures += failed
            }
        }
        return report
    }

    func skipReason(_ check: ConformanceCheck) -> String? {
        for case let .skip(c, reason) in options where c == check { return reason }
        return nil
    }

    func expectedFailureReason(_ check: ConformanceCheck) -> String? {
        for case let .expectedFailure(c, reason) in options where c == check { return reason }
        return nil
    }

    var energyJumpsAtCutoff: Bool {
        options.contains { if case .energyJumpsAtCutoff = $0 { return true } else { return false } }
    }

    func label(_ index: Int, _ s: AtomicSystem) -> String {
        let moments: String
        switch s.initialMagneticMoments {
        case nil: moments = "no moments"
        case .collinear?: moments = "collinear moments"
        case .vector?: moments = "vector moments"
        }
        return "system \(index) (\(s.formula), \(moments))"
    }

    /// Whether `check` says anything about `system`.
    func applies(_ check: ConformanceCheck, to system: AtomicSystem) -> Bool {
        switch check {
        case .timeReversal: return system.initialMagneticMoments != nil
        case .supercell, .virialSymmetry: return system.cell.pbc.allSatisfy { $0 }
        case .cutoffContinuity: return system.atomCount >= 2
        case .permutation: return system.atomCount >= 2
        default: return true
        }
    }

    /// Runs one check; nil when it passes, else what differed.
    func run(_ check: ConformanceCheck, _ potential: any Potential, _ system: AtomicSystem) throws -> String? {
        switch check {
        case .finiteDifferences: return try finiteDifferences(potential, system)
        case .virialSymmetry: return try virialSymmetry(potential, system)
        case .forceSum: return try forceSum(potential, system)
        case .atomicEnergySum: return try atomicEnergySum(potential, system)
        case .rotation: return try rotation(potential, system, improper: false)
        case .reflection: return try rotation(potential, system, improper: true)
        case .translation: return try translation(potential, system)
        case .permutation: return try permutation(potential, system)
        case .timeReversal: return try timeReversal(potential, system)
        case .cutoffContinuity: return try cutoffContinuity(potential, system)
        case .supercell: return try supercell(potential, system)
        case .threadDeterminism: return try threadDeterminism(system)
        }
    }

    /// Everything the potential computes for `system`, from a cold start and a fresh neighbor list.
    func evaluate(_ potential: any Potential, _ system: AtomicSystem) throws -> PotentialResult {
        try potential.restore(from: nil)
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: potential.cutoff, kind: potential.neighborKind)
        return try potential.evaluate(system, neighbors: list, request: .all)
    }
}
