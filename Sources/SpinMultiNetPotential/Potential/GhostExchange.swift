import SpinMDCore

/// How a process that holds ghost copies of atoms owned by other processes (LAMMPS's domain
/// decomposition) keeps them consistent during the self-consistent spin iterations
/// (`SpinMultiNetPotential.solve`).
///
/// Nodes `0..<ownedCount` of the graph are the atoms this process owns; the rest are ghosts.
public protocol GhostExchange {
    var ownedCount: Int { get }
    /// Sets every ghost's value to its owner's (forward communication).
    func forward(_ values: inout [Vector3]) throws
    /// Adds every ghost's value onto its owner and sets the ghost's to zero (reverse communication).
    func reverse(_ values: inout [Vector3]) throws
    /// The largest of `value` over all processes.
    func globalMax(_ value: Double) throws -> Double
    /// Replaces `values` by their sums over all processes.
    func globalSum(_ values: inout [Double]) throws
}
