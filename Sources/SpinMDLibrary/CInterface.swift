import CSpinMD
import Foundation
import SpinMDCore

// The C entry points of libspinmdc, declared in Sources/CSpinMD/include/spinmd.h. Each one
// catches every error, stores its message with `spinmd_internal_set_error` and returns a status.

/// Runs `body`; a thrown error becomes the thread's last error and its status.
private func reporting(_ body: () throws -> Void) -> spinmd_status {
    do {
        try body()
        return SPINMD_OK
    } catch {
        let e = LibraryError(error)
        spinmd_internal_set_error(e.message)
        return e.status
    }
}

private func model(_ handle: OpaquePointer) -> LibraryModel {
    Unmanaged<LibraryModel>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// The version string lives for the life of the process (written once, then only read).
nonisolated(unsafe) private let versionText: UnsafeMutablePointer<CChar> = strdup(SpinMDVersion.string)!

/// An evaluation entry point: checks the pointers, runs `body` and stores its wall time (the
/// whole call) in `results.seconds`.
private func timedEvaluation<System>(_ handle: OpaquePointer?, _ system: UnsafePointer<System>?, _ results: UnsafeMutablePointer<spinmd_results>?,
                                     _ body: (LibraryModel, System, inout spinmd_results) throws -> Void) -> spinmd_status {
    reporting {
        let start = Stopwatch.now()
        guard let handle, let system, let results else { throw LibraryError.invalidArgument("the model, system and results pointers must not be NULL") }
        try body(model(handle), system.pointee, &results.pointee)
        results.pointee.seconds = Stopwatch.now() - start
    }
}

@_cdecl("spinmd_version")
public func versionString() -> UnsafePointer<CChar> { UnsafePointer(versionText) }

@_cdecl("spinmd_api_version")
public func apiVersion() -> Int32 { SPINMD_API_VERSION }

@_cdecl("spinmd_open")
public func openModel(_ path: UnsafePointer<CChar>?, _ options: UnsafePointer<spinmd_options>?,
                      _ handle: UnsafeMutablePointer<OpaquePointer?>?) -> spinmd_status {
    reporting {
        guard let handle else { throw LibraryError.invalidArgument("the handle pointer (third argument) is NULL") }
        handle.pointee = nil
        guard let path else { throw LibraryError.invalidArgument("the model path is NULL") }
        let m = try LibraryModel(path: String(cString: path), options: options?.pointee ?? spinmd_options())
        handle.pointee = OpaquePointer(Unmanaged.passRetained(m).toOpaque())
    }
}

@_cdecl("spinmd_close")
public func closeModel(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<LibraryModel>.fromOpaque(UnsafeRawPointer(handle)).release()
}

@_cdecl("spinmd_cutoff")
public func modelCutoff(_ handle: OpaquePointer?) -> Double {
    guard let handle else { return .nan }
    return model(handle).potential.cutoff
}

@_cdecl("spinmd_species")
public func modelSpecies(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<Int32>?, _ capacity: Int32) -> Int32 {
    guard let handle else { return 0 }
    let species = model(handle).potential.committee.configuration.species
    if let out { for (k, z) in species.prefix(Int(max(0, capacity))).enumerated() { out[k] = Int32(z) } }
    return Int32(species.count)
}

@_cdecl("spinmd_member_count")
public func memberCount(_ handle: OpaquePointer?) -> Int32 {
    guard let handle else { return 0 }
    return Int32(model(handle).potential.committee.members.count)
}

@_cdecl("spinmd_evaluate")
public func evaluate(_ handle: OpaquePointer?, _ system: UnsafePointer<spinmd_system>?, _ request: Int32,
                     _ results: UnsafeMutablePointer<spinmd_results>?) -> spinmd_status {
    timedEvaluation(handle, system, results) { try $0.evaluate($1, request: request, into: &$2) }
}

@_cdecl("spinmd_reset_spins")
public func resetSpins(_ handle: OpaquePointer?) {
    guard let handle else { return }
    model(handle).resetSpins()
}

@_cdecl("spinmd_evaluate_local")
public func evaluateLocal(_ handle: OpaquePointer?, _ system: UnsafePointer<spinmd_local_system>?, _ request: Int32,
                          _ results: UnsafeMutablePointer<spinmd_results>?) -> spinmd_status {
    timedEvaluation(handle, system, results) { try $0.evaluateLocal($1, request: request, into: &$2) }
}
