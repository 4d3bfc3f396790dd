import COpenBLAS
import SpinMD

/// Matrix products through OpenBLAS for the batched per-edge MLPs (row-major, Double).
enum BLAS {
    /// OpenBLAS runs single-threaded: spinmd parallelises itself, and one thread keeps results
    /// bitwise reproducible.
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// C (m×n) = α·A (m×k)·Bᵀ (B is n×k) + β·C.
    static func multiplyTransposed(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                                   m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0) {
        _ = configured
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(k), b, Int32(k), beta, c, Int32(n))
    }

    /// C (m×n) = α·A (m×k)·B (k×n) + β·C.
    static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                         m: Int, n: Int, k: Int, alpha: Double = 1, beta: Double = 0) {
        _ = configured
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(k), b, Int32(n), beta, c, Int32(n))
    }

    /// Row-blocked products on the executor's threads: the rows of A and C are split into one
    /// block per thread (each block's result does not depend on the split).
    static func multiplyTransposed(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                                   m: Int, n: Int, k: Int, beta: Double = 0, executor: ParallelExecutor) {
        executor.forEachSlice(of: m, grain: 256) { rows in
            multiplyTransposed(a + rows.lowerBound * k, b, c + rows.lowerBound * n, m: rows.count, n: n, k: k, beta: beta)
        }
    }

    static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafeMutablePointer<Double>,
                         m: Int, n: Int, k: Int, beta: Double = 0, executor: ParallelExecutor) {
        executor.forEachSlice(of: m, grain: 256) { rows in
            multiply(a + rows.lowerBound * k, b, c + rows.lowerBound * n, m: rows.count, n: n, k: k, beta: beta)
        }
    }
}
