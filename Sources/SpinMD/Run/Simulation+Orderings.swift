import Foundation
import SpinMDCore

/// The orderings task: relax one structure per magnetic ordering (fresh spins and neighbour
/// lists each time) and rank them by energy per formula unit.
extension Simulation {
    static let summaryFile = "summary.json"
    static let orderingsFile = "orderings.tsv"

    func runOrderings(_ base: AtomicSystem, _ settings: RunConfiguration.OrderingSettings, potential: any Potential,
                      executor: ParallelExecutor) throws -> RunSummary {
        let c = configuration, o = c.output, r = settings.relax
        // Every ordering's moments first: a bad one is an input error before anything runs.
        var systems: [AtomicSystem] = []
        for (name, moments) in settings.orderings {
            var s = base
            switch moments {
            case let .rocksalt(ordering):
                do {
                    s.initialMagneticMoments = .collinear(try ordering.ordering.moments(for: base, magnitudes: ordering.magnitudes))
                } catch let e as SpinMDError {
                    throw SpinMDError.invalidInput(location: "\(c.inputPath): key 'orderings.names'", message: e.description)
                }
            case let .explicit(m):
                guard m.count == base.atomCount else {
                    throw SpinMDError.invalidInput(location: "\(c.inputPath): key 'orderings.custom.\(name)'",
                                                   message: "has \(m.count) moments but the structure has \(base.atomCount) atoms")
                }
                s.initialMagneticMoments = .collinear(m)
            }
            systems.append(s)
        }
        var outcomes: [OrderingOutcome] = []
        /// The last ordering's summary, carrying the cost of all of them.
        var combined: RunSummary?
        for ((name, _), system) in zip(settings.orderings, systems) {
            log("ordering \(name): relaxing \(r.relaxCell ? "positions and cell" : "positions")")
            let directory = outputPath(name)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let schedule = ObserverSchedule()
            schedule.add(try ThermoLog(path: "\(directory)/\(o.thermoFile)", every: o.thermoEvery, task: .relax, extraColumns: potential.diagnosticNames))
            schedule.add(try StructureWriter(path: "\(directory)/\(o.finalStructure)", trigger: .endOnly, mode: .replace, executor: executor))
            if showProgress { schedule.add(ProgressReporter(every: o.progressEvery > 0 ? o.progressEvery : 25, interactive: interactiveProgress)) }
            let summary = try schedule.closing(onFailureOf: {
                try potential.restore(from: nil)  // fresh spins: no warm start from the previous ordering
                let evaluator = ForceEvaluator(potential: potential, skin: c.skin, executor: executor)
                return try RelaxationRun(system: system, evaluator: evaluator, fire: r.fire, maxSteps: r.maxSteps, relaxCell: r.relaxCell,
                                         pressure: r.pressure, schedule: schedule, threads: threads).run()
            })
            let report = RelaxationReport(initial: system, final: summary.finalSystem, result: summary.finalResult, pseudoCubic: r.pseudoCubic)
            try AtomicFile.write(Array(report.json.utf8), to: "\(directory)/\(Self.summaryFile)")
            var flipped = 0
            if case let .collinear(start)? = system.initialMagneticMoments {
                flipped = zip(start, report.atomMoments).filter(MagneticMoments.isFlip).count
            }
            outcomes.append(OrderingOutcome(name: name, status: summary.status, steps: summary.steps, report: report, flippedMoments: flipped))
            var next = summary
            if let earlier = combined { next.addCost(of: earlier) }
            combined = next
            if summary.status == .interrupted { break }
        }
        try AtomicFile.write(Array(Self.orderingsTable(outcomes, tabs: true).utf8), to: outputPath(Self.orderingsFile))
        var summary = combined!
        summary.orderings = outcomes
        if let bad = outcomes.first(where: { if case .notConverged = $0.status { return true } else { return false } }) {
            summary.status = .notConverged("ordering \(bad.name): \(bad.status.description)")
        }
        return summary
    }

    /// The ranking: energy per formula unit relative to the lowest, lattice, moments. With
    /// `tabs`, a TSV with a header line; otherwise an aligned table.
    public static func orderingsTable(_ outcomes: [OrderingOutcome], tabs: Bool) -> String {
        guard let lowest = outcomes.map(\.report.energyPerFormulaUnit).min() else { return "" }
        var elements: [Element] = []
        for o in outcomes { for m in o.report.moments where !elements.contains(m.element) { elements.append(m.element) } }
        var header = ["ordering", "dE_meV_per_fu", "E_eV_per_fu", "V_A3_per_fu", "a_pc_A", "alpha_pc_deg"] + elements.map { "m_\($0.symbol)_uB" } + ["flipped", "steps", "status"]
        if !tabs {
            header = ["ordering", "ΔE meV/f.u.", "E eV/f.u.", "V Å³/f.u.", "a_pc Å", "α_pc °"] + elements.map { "|m| \($0.symbol) μB" } + ["flipped", "steps", "status"]
        }
        var rows = [header]
        for o in outcomes.sorted(by: { $0.report.energyPerFormulaUnit < $1.report.energyPerFormulaUnit }) {
            let r = o.report
            var row = [o.name, String(format: "%.2f", 1000 * (r.energyPerFormulaUnit - lowest)), String(format: "%.5f", r.energyPerFormulaUnit),
                       String(format: "%.4f", r.cell.volume / Double(r.formulaUnits)),
                       r.pseudoCubicA.map { String(format: "%.4f", $0) } ?? "-", r.rhombohedralAngle.map { String(format: "%.3f", $0) } ?? "-"]
            row += elements.map { e in r.moments.first { $0.element == e }.map { String(format: "%.3f", $0.meanAbsolute) } ?? "-" }
            row += ["\(o.flippedMoments)", "\(o.steps)", o.status.description]
            rows.append(row)
        }
        if tabs { return rows.map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n" }
        let widths = (0..<header.count).map { k in rows.map { $0[k].count }.max()! }
        return rows.map { row in
            row.enumerated().map { k, v in k == 0 ? v.padding(toLength: widths[k], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[k] - v.count) + v }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
