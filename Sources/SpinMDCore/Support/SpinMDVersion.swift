/// The version of spinmd, written into model files, checkpoints and trajectories.
public enum SpinMDVersion {
    public static let string = "0.1.0"
}
