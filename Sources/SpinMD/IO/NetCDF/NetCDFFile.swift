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

    // MARK: header

    /// Lowers the record count of a closed classic (CDF-1) or 64-bit-offset (CDF-2) file to
    /// `count` when it holds more records, so readers see only the first `count`; the bytes of
    /// the later records stay in the file, unseen (a longer file than the header implies is
    /// valid), and the next writer overwrites them. A file of `count` records or fewer is left alone.
    ///
    /// The netCDF classic format specification (NetCDF Users Guide, "File Format
    /// Specifications", `header = magic numrecs dim_list gatt_list var_list`) starts a file with
    /// the magic 'C' 'D' 'F' VERSION (VERSION 1: classic, 2: 64-bit offset), followed by
    /// `numrecs`, the current length of the record (unlimited) dimension, as a 4-byte big-endian
    /// integer at byte offset 4.
    /// NOTE: refused rather than guessed at: STREAMING (numrecs 0xFFFFFFFF, "unknown"; spinmd
    /// never writes it), CDF-5 (64-bit data, an 8-byte numrecs) and NetCDF-4 (HDF5) files.
    /// - Parameters:
    ///   - path: a file no open handle is writing (libnetcdf rewrites numrecs when it closes).
    ///   - count: records to keep (≥ 0).
    /// - Returns: the record count the file held before the call.
    @discardableResult
    public static func limitRecordCount(path: String, to count: Int) throws -> Int {
        precondition(count >= 0, "a record count is not negative")
        let handle: FileHandle
        do { handle = try FileHandle(forUpdating: URL(fileURLWithPath: path)) } catch {
            throw SpinMDError.io(path: path, message: "cannot be opened to set its NetCDF record count: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let header = [UInt8](try handle.read(upToCount: 8) ?? Data())
            guard header.count == 8, header[0..<3].elementsEqual("CDF".utf8) else {
                throw SpinMDError.io(path: path, message: "is not a classic NetCDF file (no 'CDF' magic); cannot set its record count")
            }
            guard header[3] == 1 || header[3] == 2 else {
                throw SpinMDError.io(path: path, message: "is a NetCDF file of format CDF-\(header[3]); spinmd sets the record count of CDF-1 and CDF-2 (64-bit offset) files only")
            }
            let records = header[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard records != UInt32.max else {
                throw SpinMDError.io(path: path, message: "has a streaming NetCDF header (record count unknown); cannot set its record count")
            }
            guard Int(records) > count else { return Int(records) }
            let value = UInt32(count)
            try handle.seek(toOffset: 4)
            try handle.write(contentsOf: Data([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }))
            try handle.synchronize()
            return Int(records)
        } catch let e as SpinMDError {
            throw e
        } catch {
            throw SpinMDError.io(path: path, message: "cannot set its NetCDF record count: \(error.localizedDescription)")
        }
    }
}
