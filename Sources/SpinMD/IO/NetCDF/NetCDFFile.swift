import CNetCDF
import Foundation
import SpinMDCore

/// A thin, throwing wrapper over libnetcdf's C API: every call checks its status and turns a
/// failure into `SpinMDError.io` naming the file and what was being done.
public final class NetCDFFile {
    public let path: String
    let id: Int32
    private var isOpen = true

    /// Creates a 64-bit-offset (CDF-2) file, the format every AMBER reader accepts.
    /// - Parameter overwrite: replace an existing file; otherwise an existing file is an error.
    public init(creating path: String, overwrite: Bool) throws {
        self.path = path
        var ncid: Int32 = 0
        let mode = NC_64BIT_OFFSET | (overwrite ? NC_CLOBBER : NC_NOCLOBBER)
        try NetCDFFile.check(nc_create(path, mode, &ncid), path: path, doing: "create")
        id = ncid
    }

    /// Opens an existing file for reading or appending.
    public init(opening path: String, writable: Bool) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else { throw SpinMDError.fileNotFound(path: path, role: "NetCDF") }
        var ncid: Int32 = 0
        try NetCDFFile.check(nc_open(path, writable ? NC_WRITE : NC_NOWRITE, &ncid), path: path, doing: "open")
        id = ncid
    }

    deinit { if isOpen { nc_close(id) } }

    static func check(_ status: Int32, path: String, doing: String) throws {
        guard status == NC_NOERR else {
            throw SpinMDError.io(path: path, message: "NetCDF \(doing) failed: \(String(cString: nc_strerror(status)))")
        }
    }

    func check(_ status: Int32, _ doing: @autoclosure () -> String) throws {
        try NetCDFFile.check(status, path: path, doing: doing())
    }

    // MARK: definitions

    public func defineDimension(_ name: String, length: Int?) throws -> Int32 {
        var d: Int32 = 0
        try check(nc_def_dim(id, name, length.map { Int($0) } ?? Int(NC_UNLIMITED), &d), "define dimension '\(name)'")
        return d
    }

    public func defineVariable(_ name: String, type: nc_type, dimensions: [Int32]) throws -> Int32 {
        var v: Int32 = 0
        try check(nc_def_var(id, name, type, Int32(dimensions.count), dimensions, &v), "define variable '\(name)'")
        return v
    }

    /// A text attribute on a variable, or a global one when `variable` is nil.
    public func setAttribute(_ name: String, _ text: String, variable: Int32? = nil) throws {
        try check(nc_put_att_text(id, variable ?? NC_GLOBAL, name, text.utf8.count, text), "set attribute '\(name)'")
    }

    public func setAttribute(_ name: String, _ value: Double, variable: Int32) throws {
        var v = value
        try check(nc_put_att_double(id, variable, name, NC_DOUBLE, 1, &v), "set attribute '\(name)'")
    }

    public func endDefinitions() throws { try check(nc_enddef(id), "end definitions") }

    // MARK: data

    public func put(_ variable: Int32, start: [Int], count: [Int], doubles: [Double]) throws {
        try check(nc_put_vara_double(id, variable, start, count, doubles), "write")
    }

    public func put(_ variable: Int32, start: [Int], count: [Int], floats: [Float]) throws {
        try check(nc_put_vara_float(id, variable, start, count, floats), "write")
    }

    public func put(_ variable: Int32, start: [Int], count: [Int], ints: [Int32]) throws {
        try check(nc_put_vara_int(id, variable, start, count, ints), "write")
    }

    public func put(_ variable: Int32, start: [Int], count: [Int], text: String) throws {
        try check(nc_put_vara_text(id, variable, start, count, text), "write")
    }

    public func getDoubles(_ variable: Int32, start: [Int], count: [Int]) throws -> [Double] {
        var out = [Double](repeating: 0, count: count.reduce(1, *))
        try check(nc_get_vara_double(id, variable, start, count, &out), "read")
        return out
    }

    public func getInts(_ variable: Int32, start: [Int], count: [Int]) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: count.reduce(1, *))
        try check(nc_get_vara_int(id, variable, start, count, &out), "read")
        return out
    }

    // MARK: inquiry

    public func dimension(_ name: String) -> (id: Int32, length: Int)? {
        var d: Int32 = 0, n = 0
        guard nc_inq_dimid(id, name, &d) == NC_NOERR, nc_inq_dimlen(id, d, &n) == NC_NOERR else { return nil }
        return (d, n)
    }

    public func variable(_ name: String) -> Int32? {
        var v: Int32 = 0
        return nc_inq_varid(id, name, &v) == NC_NOERR ? v : nil
    }

    /// Number of dimensions of a variable.
    public func rank(_ variable: Int32) -> Int {
        var n: Int32 = 0
        nc_inq_varndims(id, variable, &n)
        return Int(n)
    }

    public func textAttribute(_ name: String, variable: Int32? = nil) -> String? {
        var length = 0
        guard nc_inq_attlen(id, variable ?? NC_GLOBAL, name, &length) == NC_NOERR else { return nil }
        var buffer = [CChar](repeating: 0, count: length + 1)
        guard nc_get_att_text(id, variable ?? NC_GLOBAL, name, &buffer) == NC_NOERR else { return nil }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func doubleAttribute(_ name: String, variable: Int32) -> Double? {
        var v = 0.0
        return nc_get_att_double(id, variable, name, &v) == NC_NOERR ? v : nil
    }

    /// The file format (NC_FORMAT_64BIT_OFFSET for CDF-2).
    public var format: Int32 {
        var f: Int32 = 0
        nc_inq_format(id, &f)
        return f
    }

    /// Flushes everything written so far to disk, so a killed process leaves a readable file.
    public func sync() throws { try check(nc_sync(id), "sync") }

    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        try check(nc_close(id), "close")
    }
}
