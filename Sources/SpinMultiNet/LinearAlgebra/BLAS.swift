import COpenBLAS
import SpinMDCore

/// Matrix products through OpenBLAS for the batched per-edge MLPs and per-node channel mixing
/// (row-major).
enum BLAS {
    /// OpenBLAS runs single-threaded: spinmd parallelises itself, and one thread keeps results
    /// bitwise reproducible.
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// C (m×n) = A·B + β·C on the calling thread, with A stored k×m (`transposeA`) or m×k, B
    /// stored n×k (`transposeB`) or k×n, and leading dimensions (row strides) lda, ldb, ldc.
    @inline(__always)
    static func gemm(_ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int, _ c: UnsafeMutablePointer<Double>, ldc: Int,
                     m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, beta: Double = 0) {
        _ = configured
        guard m > 0, n > 0 else { return }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The single-precision twin of `gemm`.
    @inline(__always)
    static func gemm(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int,
                     m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool = false, beta: Float = 0) {
        _ = configured
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// C (m×n) = A·B with A m×k (or k×m if `transposeA`) and B k×n (or n×k if `transposeB`),
    /// dense row-major, its rows split over the executor's threads (each row's result does not
    /// depend on the split).
    static func product(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeA: Bool = false, transposeB: Bool,
                        executor: ParallelExecutor) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0, n > 0 else { return c }
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            let ap = ap.baseAddress!, bp = bp.baseAddress!, cp = cp.baseAddress!
            executor.forEachSlice(of: m, grain: 256) { rows in
                gemm(transposeA ? ap + rows.lowerBound : ap + rows.lowerBound * k, lda: transposeA ? m : k,
                     bp, ldb: transposeB ? k : n, cp + rows.lowerBound * n, ldc: n,
                     m: rows.count, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            }
        } } }
        return c
    }
}

/// Arithmetic precision of a model evaluation.
public enum Precision: String, Sendable, CaseIterable {
    /// Everything in Double.
    case double
    /// The radial MLPs' large products (edge weights from the hidden layer and their
    /// cotangents) in Float; harmonics, tensor products, gates, readouts and all accumulations
    /// in Double.
    case mixed
}
