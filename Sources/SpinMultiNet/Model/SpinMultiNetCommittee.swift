import Foundation
import SpinMDCore

/// A committee of SpinMultiNet models with one species list and one cutoff, evaluated as their
/// mean: E = (1/K) Σₖ Eₖ, S = (1/K) Σₖ Sₖ (moments), per-atom energies likewise. A committee of
/// one is the model itself, bit for bit.
///
/// The mean is one differentiable function of (R, m), so self-consistent spins m* = S(R, m*) and
/// their adjoint forces are those of the mean map, and every property test of a single model
/// (forces = −∇E, symmetries) holds for the committee. The spread of the members about the mean
/// is the usual estimate of the model's uncertainty (query by committee: H. S. Seung, M. Opper and
/// H. Sompolinsky, "Query by committee", Proc. 5th Annual Workshop on Computational Learning
/// Theory, 287–294 (1992); for interatomic potentials, J. S. Smith, B. Nebgen, N. Lubbers,
/// O. Isayev and A. E. Roitberg, "Less is more: Sampling chemical space with active learning",
/// J. Chem. Phys. 148, 241733 (2018)).
public final class SpinMultiNetCommittee {
    public let members: [SpinMultiNetModel]

    /// - Throws: `SpinMDError.invalidInput` if `members` is empty or the members differ in
    ///   species or cutoff.
    public init(members: [SpinMultiNetModel]) throws {
        guard let first = members.first else { throw SpinMDError.invalidInput(location: "committee", message: "needs at least one model") }
        for (k, m) in members.enumerated().dropFirst() {
            guard m.configuration.species == first.configuration.species, m.configuration.cutoff == first.configuration.cutoff else {
                throw SpinMDError.invalidInput(location: "committee member \(k + 1)",
                                               message: "every member needs the species and cutoff of the first (\(first.configuration.species), \(first.configuration.cutoff) Å); got \(m.configuration.species), \(m.configuration.cutoff) Å")
            }
        }
        self.members = members
    }

    public convenience init(_ model: SpinMultiNetModel) { try! self.init(members: [model]) }

    /// The first member's configuration: species and cutoff are the committee's.
    public var configuration: ModelConfiguration { members[0].configuration }
    public var cutoff: Double { configuration.cutoff }
    public func speciesIndex(_ e: Element) -> Int? { members[0].speciesIndex(e) }

    /// Mean per-species reference energies [eV].
    public var referenceEnergies: [Double] {
        let k = Double(members.count)
        return members.dropFirst().reduce(members[0].configuration.referenceEnergies) { zip($0, $1.configuration.referenceEnergies).map(+) }.map { $0 / k }
    }

    /// Threads of the committee: the members are evaluated one after the other, each on all of
    /// them (one model's passes split their pairs between threads). Results are bitwise
    /// reproducible for a given thread count.
    /// NOTE: earlier versions ran K members concurrently on one thread each; with three members
    /// on two cores that left one core idle for a third of every pass.
    public var executor = ParallelExecutor(threads: 1) {
        didSet { for m in members { m.executor = executor } }
    }

    /// The geometry of `graph` for each member (shared by members with the same harmonics and
    /// radial basis).
    public func geometries(_ graph: ModelGraph) -> [EdgeGeometry] {
        var built: [EdgeGeometry] = []
        return members.map { m in
            if let g = built.first(where: { m.accepts($0) }) { return g }
            let g = m.geometry(graph)
            built.append(g)
            return g
        }
    }

    /// Arithmetic precision of every member.
    public var precision: Precision {
        get { members[0].precision }
        set { for m in members { m.precision = newValue } }
    }

    /// The mean of the members' forward passes on prepared geometries (`geometries(_:)`, one
    /// per member), each member's tape and each member's energy [eV].
    public func forward(_ geometries: [EdgeGeometry], moments: [Vector3]) -> (output: ModelOutput, tapes: [ModelTape], energies: [Double]) {
        let passes = members.indices.map { members[$0].forward(geometries[$0], moments: moments) }
        guard members.count > 1 else { return (passes[0].0, [passes[0].1], [passes[0].0.energy]) }
        var mean = passes[0].0
        let tapes = passes.map(\.1), energies = passes.map(\.0.energy)
        for (o, _) in passes.dropFirst() {
            mean.energy += o.energy
            for i in mean.atomicEnergies.indices { mean.atomicEnergies[i] += o.atomicEnergies[i] }
            for i in mean.spins.indices { mean.spins[i] += o.spins[i] }
        }
        let w = 1 / Double(members.count)
        mean.energy *= w
        mean.atomicEnergies = mean.atomicEnergies.map { $0 * w }
        mean.spins = mean.spins.map { w * $0 }
        return (mean, tapes, energies)
    }

    /// Backward pass of the mean: cotangents of L = ē·E + Σᵢ S̄ᵢ·Sᵢ for the committee's E and S,
    /// and each member's own (unscaled) gradients, whose spread about the mean is the committee's
    /// disagreement. With `energyNodes`, E counts nodes 0..<energyNodes only (owned atoms).
    public func backward(_ tapes: [ModelTape], energyCotangent ebar: Double, spinCotangents: [Vector3]?,
                         energyNodes: Int? = nil) -> (mean: ModelInputGradients, members: [ModelInputGradients]) {
        let each = members.indices.map { members[$0].backward(tapes[$0], energyCotangent: ebar, spinCotangents: spinCotangents, energyNodes: energyNodes) }
        guard members.count > 1 else { return (each[0], each) }
        var mean = each[0]
        for g in each.dropFirst() {
            for k in mean.edgeVectors.indices { mean.edgeVectors[k] += g.edgeVectors[k] }
            for i in mean.moments.indices { mean.moments[i] += g.moments[i] }
        }
        let w = 1 / Double(each.count)
        mean.edgeVectors = mean.edgeVectors.map { w * $0 }
        mean.moments = mean.moments.map { w * $0 }
        return (mean, each)
    }
}
