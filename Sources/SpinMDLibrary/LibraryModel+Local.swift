import CSpinMD
import SpinMD
import SpinMDCore
import SpinMultiNet
import SpinMultiNetPotential

extension LibraryModel {
    /// `spinmd_evaluate_local`: the energy of the caller's local atoms, forces on its local and
    /// ghost atoms, and the local atoms' moments (`LocalGraph`, `LocalExchange`).
    func evaluateLocal(_ s: spinmd_local_system, request bits: Int32, into out: inout spinmd_results) throws {
        var prepared: PreparedLocal?
        var failure: (any Error)?
        do { prepared = try prepare(s, request: bits, results: out) } catch { failure = error }
        // Collective: a process whose input fails its checks must not leave the others waiting in
        // the first exchange, so all of them learn of any failure first.
        if let globalMax = s.global_max, s.exchange != nil, s.global_sum != nil,
           !(globalMax(s.context, failure == nil ? 0 : 1) <= 0), failure == nil {
            failure = LibraryError(SPINMD_ERROR_OTHER, "another process could not start this evaluation (its own error names the problem)")
        }
        if let failure { throw failure }
        let (request, nl, n, species, moments, local, nodeMoments, estimates) = prepared!.values
        let nodes = local.atoms

        try lock.withLock {
            followWarmStart(tags: s.tags.map { t in (0..<nl).map { t[$0] } }, species: Array(species[..<nl]), estimates: Array(estimates[..<nl]))
            let exchange = local.folded ? nil : LocalExchange(ownedCount: nl, atoms: nodes, atomCount: n, exchange: s.exchange!,
                                                              globalMaximum: s.global_max!, globalSummation: s.global_sum!, context: s.context)
            let modelStart = Stopwatch.now()
            let geometries = potential.committee.geometries(local.graph)
            let solution = try potential.solve(geometries, estimates: estimates,
                                               constraint: SpinConstraint(estimates: nodeMoments, spinAxis: potential.spinAxis),
                                               gradients: request.contains(.forces) || request.contains(.virial), ghosts: exchange)
            out.model_seconds = Stopwatch.now() - modelStart
            let output = solution.output
            let energies = Array(output.atomicEnergies[..<nl])
            out.energy = energies.reduce(0, +)
            guard out.energy.isFinite, energies.allSatisfy(\.isFinite) else { throw LibraryError(SPINMD_ERROR_NON_FINITE, "the model returned a non-finite energy") }
            if request.contains(.atomicEnergies), let p = out.atomic_energies { for i in 0..<nl { p[i] = energies[i] } }
            if request.contains(.magneticMoments), let p = out.moments {
                let spins = potential.reportedSpins(output.spins, constraint: SpinConstraint(estimates: nodeMoments, spinAxis: potential.spinAxis))
                for i in 0..<nl {
                    if case .collinear = moments { p[i] = spins[i].dot(potential.spinAxis) } else { (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = (spins[i].x, spins[i].y, spins[i].z) }
                }
            }
            if let grads = solution.grads {
                var virial = Matrix3.zero
                var forces = [Vector3](repeating: .zero, count: n)
                for e in 0..<local.graph.edgeCount {
                    let g = grads.mean.edgeVectors[e]
                    forces[local.receiverAtoms[e]] += g
                    forces[local.senderAtoms[e]] -= g
                    virial += Matrix3.outer(g, local.graph.vectors[e])
                }
                guard forces.allSatisfy(\.isFinite), virial.isFinite else { throw LibraryError(SPINMD_ERROR_NON_FINITE, "the model returned a non-finite force") }
                if request.contains(.forces), let p = out.forces {
                    for i in 0..<n { (p[3 * i], p[3 * i + 1], p[3 * i + 2]) = (forces[i].x, forces[i].y, forces[i].z) }
                }
                if request.contains(.virial), let p = out.virial {
                    for (k, w) in (-1 * virial.symmetricPart).flat.enumerated() { p[k] = w }
                }
            }
            out.spin_iterations = Int32(potential.lastIterations.spins)
            out.adjoint_iterations = Int32(potential.lastIterations.adjoint)
            out.flipped_atoms = Int32(potential.flippedAtoms.count)
            let members = solution.memberEnergies.count
            if members > 1 && local.folded {
                let mean = output.energy, k = Double(members)
                out.energy_spread_per_atom = (solution.memberEnergies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / k).squareRoot() / Double(nl)
            } else {
                out.energy_spread_per_atom = .nan
            }
            out.force_spread = .nan
        }
    }

    /// What `evaluateLocal` checks and builds before any exchange with other processes.
    struct PreparedLocal {
        var values: (request: EvaluationRequest, nl: Int, n: Int, species: [Element], moments: MagneticMoments, local: LocalGraph,
                     nodeMoments: MagneticMoments, estimates: [Vector3])
    }

    private func prepare(_ s: spinmd_local_system, request bits: Int32, results out: spinmd_results) throws -> PreparedLocal {
        let request = try Self.request(bits, results: out)
        let nl = Int(s.local_count), ng = Int(s.ghost_count), n = nl + ng
        guard nl >= 1, ng >= 0, n <= SystemInput.maximumAtomCount else {
            throw LibraryError.invalidArgument("local_count \(s.local_count) and ghost_count \(s.ghost_count): expected at least one local atom and at most \(SystemInput.maximumAtomCount) in all")
        }
        guard let z = s.atomic_numbers, let x = s.positions, let offsets = s.neighbor_offsets, s.neighbors != nil else {
            throw LibraryError.invalidArgument("atomic_numbers, positions, neighbor_offsets and neighbors must not be NULL")
        }
        let listed = Int(s.list_count)
        guard listed >= nl, listed <= n else { throw LibraryError.invalidArgument("list_count is \(listed); expected from local_count (\(nl)) to local + ghost (\(n))") }
        guard offsets[0] == 0 else { throw LibraryError.invalidArgument("neighbor_offsets[0] is \(offsets[0]); expected 0") }
        for i in 0..<listed where offsets[i + 1] < offsets[i] {
            throw LibraryError.invalidArgument("neighbor_offsets decrease at atom \(i + 1)")
        }
        for k in 0..<Int(offsets[listed]) where s.neighbors[k] < 0 || Int(s.neighbors[k]) >= n {
            throw LibraryError.invalidArgument("neighbour \(k) is atom index \(s.neighbors[k]); expected 0 to \(n - 1)")
        }
        let callbacks = [s.exchange == nil, s.global_max == nil, s.global_sum == nil]
        guard Set(callbacks).count == 1 else { throw LibraryError.invalidArgument("give all of exchange, global_max and global_sum, or none") }
        let species = try SystemInput.species(z, count: n)
        try potential.checkSupports(species)
        let positions = try SystemInput.positions(x, count: n, species: species, within: CellListBuilder.maximumCoordinate)
        let moments = try SystemInput.moments(s.initial_moments, components: s.moment_components, count: n)
        let local = try LocalGraph(s, positions: positions, speciesIndex: species.map { potential.committee.speciesIndex($0)! }, cutoff: potential.cutoff)
        if !local.folded && s.exchange == nil {
            throw LibraryError.invalidArgument("ghost atoms without ghost_owner need the exchange, global_max and global_sum callbacks (their moments follow their owners' at every spin iteration)")
        }
        let nodeMoments: MagneticMoments = switch moments {
        case let .collinear(m): .collinear(local.atoms.map { m[$0] })
        case let .vector(v): .vector(local.atoms.map { v[$0] })
        }
        let estimates = nodeMoments.vectors(axis: potential.spinAxis)

        return PreparedLocal(values: (request, nl, n, species, moments, local, nodeMoments, estimates))
    }

    /// Keeps the warm start when the local atoms are the same (in any order: it is renumbered
    /// by tag) with the same species and estimates; forgets it otherwise, or without tags.
    private func followWarmStart(tags: [Int64]?, species: [Element], estimates: [Vector3]) {
        defer { lastLocalInput = tags.map { ($0, species, estimates) } }
        guard let tags, let last = lastLocalInput, last.tags.count == tags.count else { return potential.setSpinState(nil) }
        if last.tags != tags {
            var index: [Int64: Int] = [:]
            for (k, t) in last.tags.enumerated() { index[t] = k }
            let order = tags.compactMap { index[$0] }
            guard order.count == tags.count, Set(order).count == order.count else { return potential.setSpinState(nil) }
            guard order.map({ last.species[$0] }) == species, order.map({ last.estimates[$0] }) == estimates else { return potential.setSpinState(nil) }
            potential.renumberAtoms(order)
        } else if last.species != species || last.estimates != estimates {
            potential.setSpinState(nil)
        }
    }
}
