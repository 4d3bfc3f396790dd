import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet
import SpinMultiNetPotential

/// Evaluates a model on labelled frames through `SpinMultiNetPotential`, the code path of
/// `spinmd run`, with fixed or self-consistent spins.
public struct ModelEvaluation {
    public let committee: SpinMultiNetCommittee
    public let mode: SpinMode
    /// Frames are spread over the threads (one model evaluation per thread at a time).
    public var executor = ParallelExecutor(threads: 1)
    /// Spin input for frames without `initial_magmoms` (see `DatasetReader`).
    public var defaultInitialMoments: [Element: Double] = [:]
    /// Names of the labels in the data files.
    public var labelKeys = LabelKeys()

    public init(committee: SpinMultiNetCommittee, mode: SpinMode) {
        self.committee = committee
        self.mode = mode
    }

    public init(model: SpinMultiNetModel, mode: SpinMode) {
        self.init(committee: SpinMultiNetCommittee(model), mode: mode)
    }

    public func evaluate(files: [String]) throws -> EvaluationResult {
        var reader = DatasetReader(species: committee.configuration.species.map { Element(atomicNumber: $0)! }, cutoff: committee.cutoff)
        reader.defaultInitialMoments = defaultInitialMoments
        reader.defaultsLocation = "--initial-magmoms"
        reader.keys = labelKeys
        var frames: [LabelledFrame] = []
        for f in files { frames += try reader.read(path: f) }
        return try evaluate(frames)
    }

    public func evaluate(_ frames: [LabelledFrame]) throws -> EvaluationResult {
        committee.executor = ParallelExecutor(threads: 1)
        var cumulative = [0]
        for f in frames { cumulative.append(cumulative.last! + f.graph.edgeCount) }
        let chunks = executor.partition(cumulative: cumulative)
        var predictions = [(FramePrediction, [Double])?](repeating: nil, count: frames.count)
        var failures = [SpinMDError?](repeating: nil, count: chunks.count)
        predictions.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { fail in
                executor.forEachChunk { c in
                    do {
                        for k in chunks[c] { out[k] = try predict(frames[k]) }
                    } catch let e as SpinMDError {
                        fail[c] = e
                    } catch {
                        fail[c] = .unsupported("\(error)")
                    }
                }
            }
        }
        if let e = failures.compactMap({ $0 }).first { throw e }
        return EvaluationResult(frames: frames, predictions: predictions.map { $0!.0 }, referenceEnergies: committee.referenceEnergies,
                                diagnosticNames: SpinMultiNetPotential(committee: committee, mode: mode).diagnosticNames,
                                diagnostics: predictions.map { $0!.1 })
    }

    /// Energy, forces, stress and moments of one frame, as `spinmd run` would compute them, and
    /// the potential's diagnostics (iterations, committee spread).
    func predict(_ f: LabelledFrame) throws -> (FramePrediction, [Double]) {
        let potential = SpinMultiNetPotential(committee: committee, mode: mode)
        let list = CellListBuilder().build(positions: f.system.positions, cell: f.system.cell, radius: committee.cutoff, kind: .full)
        let r: PotentialResult
        do {
            r = try potential.evaluate(f.system, neighbors: list, request: [.energy, .forces, .virial, .magneticMoments])
        } catch let e as SpinMDError {
            throw SpinMDError.unsupported("\(f.source): \(e.description)")
        }
        let spins = r.magneticMoments?.vectors() ?? []
        guard r.energy.isFinite, (r.forces ?? []).allSatisfy(\.isFinite), spins.allSatisfy(\.isFinite), r.virial?.isFinite ?? true else {
            throw SpinMDError.unsupported("\(f.source): the model gives a non-finite energy, force, moment or virial for this frame")
        }
        return (FramePrediction(energy: r.energy, forces: r.forces, spins: spins,
                                stress: f.volume.flatMap { v in r.virial.map { -(1 / v) * $0 } }), r.diagnostics)
    }
}

/// Predictions for a set of frames and their errors, grouped for the tables of `spinmd eval`.
public struct EvaluationResult {
    public let frames: [LabelledFrame]
    public let predictions: [FramePrediction]
    /// The model's per-species reference energies [eV] (indexed like the frames' graph species):
    /// the energy parity plot shows (E − Σᵢ e_ref)/N, so compositions do not sit eV apart.
    public let referenceEnergies: [Double]
    /// Names of the potential's per-frame diagnostics (`Potential.diagnosticNames`) and their
    /// values, one row per frame.
    public var diagnosticNames: [String] = []
    public var diagnostics: [[Double]] = []

    func errors(_ k: Int, atoms: (Int) -> Bool = { _ in true }) -> PropertyErrors {
        var e = PropertyErrors()
        let f = frames[k], p = predictions[k]
        let targets = f.moments?.vectors()
        e.addFrame(p, f)
        for i in 0..<f.atomCount where atoms(i) { e.addAtom(i, p, f, targets: targets, axis: f.isCollinear ? MagneticMoments.spinAxis : nil) }
        return e
    }

    public var overall: PropertyErrors {
        var e = PropertyErrors()
        for k in frames.indices { e.merge(errors(k)) }
        return e
    }

    /// Force and moment errors of each element's atoms (energy and stress are per frame, so
    /// they are left out); `frames` counts the frames holding the element.
    public var bySpecies: [(key: String, errors: PropertyErrors)] {
        let elements = Set(frames.flatMap(\.system.species)).sorted { $0.atomicNumber > $1.atomicNumber }
        return elements.map { element in
            var e = PropertyErrors()
            for k in frames.indices where frames[k].system.species.contains(element) {
                var part = PropertyErrors()
                let f = frames[k], p = predictions[k]
                let targets = f.moments?.vectors()
                for i in 0..<f.atomCount where f.system.species[i] == element {
                    part.addAtom(i, p, f, targets: targets, axis: f.isCollinear ? MagneticMoments.spinAxis : nil)
                }
                part.frames = 1
                e.merge(part)
            }
            return (element.symbol, e)
        }
    }

    /// Errors per value of an info key (e.g. `order`), sorted by value; empty when no frame has it.
    public func groups(by key: String) -> [(key: String, errors: PropertyErrors)] {
        var byValue: [String: PropertyErrors] = [:]
        for k in frames.indices {
            guard let v = frames[k].info[key] else { continue }
            byValue[v, default: PropertyErrors()].merge(errors(k))
        }
        return byValue.keys.sorted().map { ($0, byValue[$0]!) }
    }

    /// One row per frame: source, size, group, energies, per-frame error statistics and the
    /// potential's diagnostics.
    public func csv(groupBy key: String) -> String {
        var lines = ["file,frame,atoms,\(key),energy_dft_eV,energy_model_eV,energy_error_meV_per_atom,forces_mae_meV_per_A,forces_rmse_meV_per_A,moments_mae_uB,moments_max_abs_error_uB,stress_mae_GPa"
                     + diagnosticNames.map { "," + $0 }.joined()]
        for k in frames.indices {
            let f = frames[k], p = predictions[k], e = errors(k)
            func fmt(_ x: Double, _ unit: Double = 1) -> String { x.isNaN ? "" : String(format: "%.6g", x * unit) }
            var maxMoment = Double.nan
            if let t = f.moments?.vectors() {
                maxMoment = zip(p.spins, t).map { ($0 - $1).norm }.max() ?? .nan
            }
            let energyError = f.energy.map { (p.energy - $0) / Double(f.atomCount) } ?? .nan
            lines.append([f.file.contains(",") ? "\"\(f.file)\"" : f.file, "\(f.index + 1)", "\(f.atomCount)", f.info[key] ?? "",
                          f.energy.map { String(format: "%.8f", $0) } ?? "", String(format: "%.8f", p.energy), fmt(energyError, 1000),
                          fmt(e.forces.meanAbsolute, 1000), fmt(e.forces.rootMeanSquare, 1000), fmt(e.moments.meanAbsolute), fmt(maxMoment),
                          fmt(e.stress.meanAbsolute, Units.eVPerCubicAngstromInGPa)].joined(separator: ",")
                         + (k < diagnostics.count ? diagnostics[k].map { "," + fmt($0) }.joined() : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// energy.png, forces.png, moments.png (those with labels) in `directory`, coloured by `key`.
    public func writeParityPlots(directory: String, groupBy key: String) throws -> [String] {
        let names = Array(Set(frames.compactMap { $0.info[key] })).sorted()
        func group(_ k: Int) -> Int { frames[k].info[key].flatMap { names.firstIndex(of: $0) } ?? names.count }
        let groups = names + (frames.contains { $0.info[key] == nil } ? ["other"] : [])
        var energy = ParityPlot.energyPerAtom, forces = ParityPlot.forceComponents, moments = ParityPlot.magneticMoments
        for k in frames.indices {
            let f = frames[k], p = predictions[k], g = group(k)
            if let e = f.energy {
                let reference = f.graph.species.reduce(0) { $0 + referenceEnergies[$1] }, n = Double(f.atomCount)
                energy.points.append(((e - reference) / n, (p.energy - reference) / n, g))
            }
            if let ref = f.forces, let pf = p.forces {
                for i in 0..<f.atomCount { for a in 0..<3 { forces.points.append((ref[i][a], pf[i][a], g)) } }
            }
            if let t = f.moments?.vectors() {
                for i in 0..<f.atomCount {
                    if f.isCollinear { moments.points.append((t[i].dot(MagneticMoments.spinAxis), p.spins[i].dot(MagneticMoments.spinAxis), g)) } else {
                        for a in 0..<3 { moments.points.append((t[i][a], p.spins[i][a], g)) }
                    }
                }
            }
        }
        var written: [String] = []
        for (name, var plot) in [("energy", energy), ("forces", forces), ("moments", moments)] where !plot.points.isEmpty {
            plot.groups = groups
            let path = URL(fileURLWithPath: directory).appendingPathComponent("\(name).png").path
            let png: [UInt8]
            do { png = try plot.canvas().png() } catch { throw SpinMDError.io(path: path, message: error.description) }
            try AtomicFile.write(png, to: path)
            written.append(path)
        }
        return written
    }
}
