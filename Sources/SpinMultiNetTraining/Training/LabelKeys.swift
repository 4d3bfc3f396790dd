/// The names of a dataset's labels in extended XYZ: comment-line keys for the energy and the
/// stress, per-atom columns for forces and moments. Other tools write e.g. `REF_energy`,
/// `dft_forces` (MACE's `--energy_key` and friends set the same).
public struct LabelKeys: Equatable, Sendable {
    public var energy = "energy"
    public var forces = "forces"
    public var stress = "stress"
    public var magmoms = "magmoms"
    public var initialMagmoms = "initial_magmoms"
    /// The labels whose key was chosen by the user: a frame without them is an error, not an
    /// unlabelled frame (a misspelt key must not silently measure nothing).
    public var required: Set<String> = []

    public init() {}

    /// The labels and their keys, in the order of the options.
    public static let labels = ["energy", "forces", "stress", "magmoms", "initial_magmoms"]

    /// Sets the key of `label` (one of `labels`) and makes it required.
    public mutating func set(_ label: String, to key: String) {
        switch label {
        case "energy": energy = key
        case "forces": forces = key
        case "stress": stress = key
        case "magmoms": magmoms = key
        default: initialMagmoms = key
        }
        required.insert(label)
    }

    func key(_ label: String) -> String {
        switch label {
        case "energy": energy
        case "forces": forces
        case "stress": stress
        case "magmoms": magmoms
        default: initialMagmoms
        }
    }
}
