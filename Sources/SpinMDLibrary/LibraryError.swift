import CSpinMD
import SpinMDCore
import SpinMultiNetPotential

/// A failure of a C entry point: its status code and the message `spinmd_last_error` returns.
struct LibraryError: Error {
    let status: spinmd_status
    let message: String

    init(_ status: spinmd_status, _ message: String) {
        self.status = status
        self.message = message
    }

    static func invalidArgument(_ message: String) -> LibraryError { LibraryError(SPINMD_ERROR_INVALID_ARGUMENT, message) }

    /// The status and message of any error thrown inside the library.
    init(_ error: any Error) {
        switch error {
        case let e as LibraryError: self = e
        case let e as SpinMultiNetPotential.MemberSelectionError: self.init(SPINMD_ERROR_INVALID_ARGUMENT, "members: \(e.message)")
        case let e as SpinMDError:
            let status: spinmd_status
            switch e {
            case .invalidInput: status = SPINMD_ERROR_INVALID_ARGUMENT
            case .parse, .fileNotFound, .io: status = SPINMD_ERROR_MODEL_FILE
            case .unknownElement, .unsupportedSpecies: status = SPINMD_ERROR_UNSUPPORTED_SPECIES
            case .invalidCell, .overlappingAtoms, .runaway: status = SPINMD_ERROR_GEOMETRY
            case .nonFinite: status = SPINMD_ERROR_NON_FINITE
            case .notConverged: status = SPINMD_ERROR_NOT_CONVERGED
            case .unsupported: status = SPINMD_ERROR_OTHER
            }
            self.init(status, e.description)
        default: self.init(SPINMD_ERROR_OTHER, "\(error)")
        }
    }
}
