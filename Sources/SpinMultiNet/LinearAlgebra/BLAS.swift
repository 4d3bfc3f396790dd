import COpenBLAS
import SpinMD

/// Matrix products through OpenBLAS for the batched per-edge MLPs (row-major).
enum BLAS {
    /// OpenBLAS runs single-threaded: spinmd parallelises itself, and one thread keeps results
    /// bitwise reproducible.
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// C (m×n) = A·B, with A stored k×m (`transposeA`) or m×k and B stored n×k (`transposeB`)
    /// or k×n, row-blocked on the
    /// executor's threads (each block's result does not depend on the split).
    static func gemm(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                     m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, executor: ParallelExecutor) {
        _ = configured
        executor.forEachSlice(of: m, grain: 256) { rows in
            cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rows.count), Int32(n), Int32(k), 1,
                        transposeA ? a + rows.lowerBound : a + rows.lowerBound * k, Int32(transposeA ? m : k),
                        b, Int32(transposeB ? k : n), 0, c + rows.lowerBound * n, Int32(n))
        }
    }

    /// The single-precision twin of `gemm`.
    static func gemm(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                     m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, executor: ParallelExecutor) {
        _ = configured
        executor.forEachSlice(of: m, grain: 256) { rows in
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rows.count), Int32(n), Int32(k), 1,
                        transposeA ? a + rows.lowerBound : a + rows.lowerBound * k, Int32(transposeA ? m : k),
                        b, Int32(transposeB ? k : n), 0, c + rows.lowerBound * n, Int32(n))
        }
    }

    /// A row-major product in the precision `precision` asks for: Double, or Float inputs and
    /// outputs converted at the boundary.
    static func product(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool, precision: Precision,
                        executor: ParallelExecutor) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0 else { return c }
        switch precision {
        case .double:
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                gemm(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, executor: executor)
            } } }
        case .mixed:
            let af = a.map(Float.init), bf = b.map(Float.init)
            var cf = [Float](repeating: 0, count: m * n)
            af.withUnsafeBufferPointer { ap in bf.withUnsafeBufferPointer { bp in cf.withUnsafeMutableBufferPointer { cp in
                gemm(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, executor: executor)
            } } }
            c = cf.map(Double.init)
        }
        return c
    }
}

/// Arithmetic precision of a model evaluation.
public enum Precision: String, Sendable, CaseIterable {
    /// Everything in Double.
    case double
    /// The radial MLPs (the batched matrix products, ~60 % of the flops) in Float; harmonics,
    /// tensor products, gates, readouts and all accumulations in Double.
    case mixed
}
