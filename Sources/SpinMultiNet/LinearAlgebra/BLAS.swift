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

    /// Single-precision C (m×n) = A (m×k)·Bᵀ (B is n×k) + β·C, row-blocked on the executor.
    static func multiplyTransposed(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                   m: Int, n: Int, k: Int, beta: Float = 0, executor: ParallelExecutor) {
        _ = configured
        executor.forEachSlice(of: m, grain: 256) { rows in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(n), Int32(k), 1,
                        a + rows.lowerBound * k, Int32(k), b, Int32(k), beta, c + rows.lowerBound * n, Int32(n))
        }
    }

    /// Single-precision C (m×n) = A (m×k)·B (k×n) + β·C, row-blocked on the executor.
    static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                         m: Int, n: Int, k: Int, beta: Float = 0, executor: ParallelExecutor) {
        _ = configured
        executor.forEachSlice(of: m, grain: 256) { rows in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(n), Int32(k), 1,
                        a + rows.lowerBound * k, Int32(k), b, Int32(n), beta, c + rows.lowerBound * n, Int32(n))
        }
    }

    /// A row-major product in the precision `precision` asks for: Double, or Float inputs and
    /// outputs converted at the boundary.
    static func product(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeB: Bool, precision: Precision,
                        executor: ParallelExecutor) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0 else { return c }
        switch precision {
        case .double:
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                if transposeB { multiplyTransposed(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, executor: executor) }
                else { multiply(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, executor: executor) }
            } } }
        case .mixed:
            let af = a.map(Float.init), bf = b.map(Float.init)
            var cf = [Float](repeating: 0, count: m * n)
            af.withUnsafeBufferPointer { ap in bf.withUnsafeBufferPointer { bp in cf.withUnsafeMutableBufferPointer { cp in
                if transposeB { multiplyTransposed(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, executor: executor) }
                else { multiply(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!, m: m, n: n, k: k, executor: executor) }
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
