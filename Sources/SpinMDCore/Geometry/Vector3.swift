/// A Cartesian 3-vector in Double precision; units are those of the quantity it holds.
public typealias Vector3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// Whether every component is finite (no NaN, no infinity).
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
    /// Euclidean dot product.
    @inlinable public func dot(_ other: Vector3) -> Double {
        let p = self * other
        return p.x + p.y + p.z
    }
    /// Cross product self × other.
    @inlinable public func cross(_ o: Vector3) -> Vector3 {
        Vector3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    /// Squared Euclidean norm.
    @inlinable public var normSquared: Double { dot(self) }
    /// Euclidean norm.
    @inlinable public var norm: Double { normSquared.squareRoot() }
}

extension Array where Element == Vector3 {
    /// (count·3) the components x₀, y₀, z₀, x₁, ... as one flat array.
    public var flattened: [Double] {
        [Double](unsafeUninitializedCapacity: 3 * count) { buffer, initialized in
            for (i, v) in enumerated() { buffer[3 * i] = v.x; buffer[3 * i + 1] = v.y; buffer[3 * i + 2] = v.z }
            initialized = 3 * count
        }
    }
}
