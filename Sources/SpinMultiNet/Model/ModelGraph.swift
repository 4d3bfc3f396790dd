import SpinMDCore

/// The input of one model evaluation: atoms as nodes and every ordered pair within the cutoff
/// as a directed edge (receiver i ← sender j), with its vector rⱼ − rᵢ (+ image shift) [Å].
public struct ModelGraph: Sendable {
    /// (nodeCount) index of each atom's element in the model's species list.
    public var species: [Int]
    /// (edgeCount) receiving atom i and sending atom j of each edge.
    public var receivers: [Int]
    public var senders: [Int]
    /// (edgeCount, 3) rⱼ − rᵢ + shift [Å].
    public var vectors: [Vector3]

    public var nodeCount: Int { species.count }
    public var edgeCount: Int { vectors.count }

    public init(species: [Int], receivers: [Int], senders: [Int], vectors: [Vector3]) {
        self.species = species
        self.receivers = receivers
        self.senders = senders
        self.vectors = vectors
    }
}
