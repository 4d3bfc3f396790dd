/// Matrix exponential of small dense matrices and its Fréchet derivative.
///
/// Used by the variable-cell relaxation, whose cell degrees of freedom are the logarithm of the
/// deformation gradient (ASE's FrechetCellFilter).
public enum MatrixExponential {
    /// exp(A) of an n×n row-major matrix by scaling and squaring with a Taylor series
    /// (terms until they no longer change the sum in Double); accurate to round-off for the
    /// modest norms met in cell relaxation.
    public static func exp(_ a: [Double], n: Int) -> [Double] {
        let norm = a.map(abs).max() ?? 0
        var squarings = 0
        var scale = 1.0
        while norm * scale * Double(n) > 0.25 { scale *= 0.5; squarings += 1 }
        let x = a.map { $0 * scale }
        var result = identity(n)
        var term = identity(n)
        for k in 1...30 {
            term = multiply(term, x, n: n).map { $0 / Double(k) }
            let size = term.map(abs).max() ?? 0
            for i in 0..<(n * n) { result[i] += term[i] }
            if size < 1e-18 { break }
        }
        for _ in 0..<squarings { result = multiply(result, result, n: n) }
        return result
    }

    /// exp(X) for a 3×3 matrix.
    public static func exp(_ x: Matrix3) -> Matrix3 { Matrix3(exp(x.flat, n: 3)) }

    /// The Fréchet derivative L(X, E) = d/dt exp(X + tE)|₀, from the block identity
    /// exp([[X, E], [0, X]]) = [[exp X, L(X, E)], [0, exp X]] (Higham, Functions of Matrices, 2008, §3.2).
    public static func frechetDerivative(of x: Matrix3, direction e: Matrix3) -> Matrix3 {
        var block = [Double](repeating: 0, count: 36)
        for i in 0..<3 {
            for j in 0..<3 {
                block[i * 6 + j] = x[i, j]
                block[(i + 3) * 6 + j + 3] = x[i, j]
                block[i * 6 + j + 3] = e[i, j]
            }
        }
        let big = exp(block, n: 6)
        var l = Matrix3.zero
        for i in 0..<3 { for j in 0..<3 { l[i, j] = big[i * 6 + j + 3] } }
        return l
    }

    static func identity(_ n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }

    static func multiply(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for k in 0..<n { let aik = a[i * n + k]; for j in 0..<n { c[i * n + j] += aik * b[k * n + j] } } }
        return c
    }
}
