import CSpinMD
import SpinMDCore
import SpinMultiNetPotential

/// `GhostExchange` through the caller's callbacks (`spinmd_local_system.exchange`,
/// `.global_max`): node values go through a buffer over all the caller's atoms.
struct LocalExchange: GhostExchange {
    let ownedCount: Int
    /// (node) the caller's atom of each node.
    let atoms: [Int]
    let atomCount: Int
    let exchange: spinmd_exchange_fn
    let globalMaximum: spinmd_global_max_fn
    let globalSummation: spinmd_global_sum_fn
    let context: UnsafeMutableRawPointer?

    private func call(_ values: inout [Vector3], direction: Int32) throws {
        var buffer = [Double](repeating: 0, count: 3 * atomCount)
        for (k, a) in atoms.enumerated() where direction == Int32(SPINMD_EXCHANGE_REVERSE) || k < ownedCount {
            (buffer[3 * a], buffer[3 * a + 1], buffer[3 * a + 2]) = (values[k].x, values[k].y, values[k].z)
        }
        let status = buffer.withUnsafeMutableBufferPointer { exchange(context, $0.baseAddress, 3, direction) }
        guard status == 0 else { throw LibraryError(SPINMD_ERROR_OTHER, "the caller's exchange callback failed (status \(status))") }
        for (k, a) in atoms.enumerated() where direction == Int32(SPINMD_EXCHANGE_FORWARD) ? k >= ownedCount : k < ownedCount {
            values[k] = Vector3(buffer[3 * a], buffer[3 * a + 1], buffer[3 * a + 2])
        }
        if direction == Int32(SPINMD_EXCHANGE_REVERSE) {
            for k in ownedCount..<values.count { values[k] = .zero }
        }
    }

    func forward(_ values: inout [Vector3]) throws { try call(&values, direction: Int32(SPINMD_EXCHANGE_FORWARD)) }
    func reverse(_ values: inout [Vector3]) throws { try call(&values, direction: Int32(SPINMD_EXCHANGE_REVERSE)) }
    func globalMax(_ value: Double) throws -> Double { globalMaximum(context, value) }

    func globalSum(_ values: inout [Double]) throws {
        let count = Int32(values.count)
        let status = values.withUnsafeMutableBufferPointer { globalSummation(context, $0.baseAddress, count) }
        guard status == 0 else { throw LibraryError(SPINMD_ERROR_OTHER, "the caller's global_sum callback failed (status \(status))") }
    }
}
