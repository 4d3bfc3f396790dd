import Foundation
import SpinMD
import SpinMDCore
import SpinMultiNet
import SpinMultiNetPotential

/// One DFT frame for training or evaluation: the structure, the graph the model sees, the spin
/// input and whatever labels the frame carries (a missing label does not enter that loss term).
public struct LabelledFrame: Sendable {
    /// "file:line (frame k)" for messages and tables.
    public var source: String
    /// Data file and 0-based frame index in it.
    public var file: String, index: Int
    public var system: AtomicSystem
    /// All ordered pairs within the model cutoff (fixed for the frame).
    public var graph: ModelGraph
    /// Cell volume [Å³], nil for non-periodic frames.
    public var volume: Double?
    /// (N) spin input [μB]: the dataset's `initial_magmoms` (collinear values are along the spin axis ẑ).
    public var initialMoments: MagneticMoments
    /// Total energy [eV].
    public var energy: Double?
    /// (N, 3) forces [eV/Å].
    public var forces: [Vector3]?
    /// (N) converged moments [μB] (the spin target), same kind as `initialMoments`.
    public var moments: MagneticMoments?
    /// Stress [eV/Å³], ASE sign convention (σ = (1/V) ∂E/∂ε).
    public var stress: Matrix3?
    /// Comment-line values not consumed above, e.g. `order`, `tm`.
    public var info: [String: String]

    /// A frame of `system`, whose `initialMagneticMoments` are the spin input, for a model with
    /// these species (`speciesIndex`: each atom's index in them) and cutoff [Å].
    public init(system: AtomicSystem, speciesIndex: [Int], cutoff: Double, energy: Double? = nil, forces: [Vector3]? = nil,
                moments: MagneticMoments? = nil, stress: Matrix3? = nil, info: [String: String] = [:],
                source: String = "", file: String = "", index: Int = 0) {
        precondition(system.initialMagneticMoments != nil, "a labelled frame needs a spin input")
        let list = CellListBuilder().build(positions: system.positions, cell: system.cell, radius: cutoff, kind: .full)
        self.system = system
        graph = ModelGraph(system: system, neighbors: list, cutoff: cutoff, speciesIndex: speciesIndex)
        volume = system.cell.pbc.contains(true) ? system.cell.volume : nil
        initialMoments = system.initialMagneticMoments!
        self.energy = energy; self.forces = forces; self.moments = moments; self.stress = stress
        self.info = info; self.source = source; self.file = file; self.index = index
    }

    public var atomCount: Int { system.atomCount }
    public var isCollinear: Bool { if case .collinear = initialMoments { return true } else { return false } }
}
