// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The CPU the Swift targets are compiled for: `SPINMD_TARGET_CPU` (an LLVM CPU name, or `generic`
/// for a binary that runs on any x86-64), else the build machine's vector level on x86-64 Linux.
///
/// NOTE: the network's tensor products run on SIMD8/SIMD16 lanes of Double; compiled for AVX-512
/// they run 1.3× (1 thread) and 1.4× (2 threads) faster than for baseline x86-64 (512-atom NiO,
/// one member, fixed spins; docs/performance.md). A binary built this way needs a CPU with the
/// same vector units: build with SPINMD_TARGET_CPU=generic to move it to other machines.
func targetCPU() -> String? {
    if let cpu = ProcessInfo.processInfo.environment["SPINMD_TARGET_CPU"] { return cpu == "generic" ? nil : cpu }
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
    let flags = Set(line.split(separator: " ").map(String.init))
    if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "skylake-avx512" }
    if ["avx2", "fma", "bmi2", "movbe", "f16c"].allSatisfy(flags.contains) { return "haswell" }
    #endif
    return nil
}
let cpuFlags: [SwiftSetting] = targetCPU().map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

// Release builds are `-O` (SwiftPM's default) with whole-module optimisation: bounds, overflow
// and precondition checks stay on. NOTE: `-Ounchecked` was measured against them (issue 24, 2026-12-06,
// docs/performance.md "Checked builds") and gained 0–4 %, within the machine's noise, so no
// target or file turns them off.

let package = Package(
    name: "spinmd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spinmd", targets: ["spinmd"]),
        .library(name: "SpinMD", targets: ["SpinMD"]),
        .library(name: "SpinMDCore", targets: ["SpinMDCore"]),
        .library(name: "SpinMultiNet", targets: ["SpinMultiNet"]),
        .library(name: "SpinMultiNetPotential", targets: ["SpinMultiNetPotential"]),
        .library(name: "SpinMultiNetTraining", targets: ["SpinMultiNetTraining"]),
        // libspinmdc.so: the C interface (Sources/CSpinMD/include/spinmd.h) for Python and LAMMPS.
        .library(name: "spinmdc", type: .dynamic, targets: ["SpinMDLibrary"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CNetCDF",
            pkgConfig: "netcdf",
            providers: [.apt(["libnetcdf-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // zlib: deflate for the PNG parity plots (SpinMultiNetTraining only, not libspinmdc).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Units, geometry, systems, crystal builders, seeded random numbers, JSON configuration
        // reading, the safetensors codec, errors and threading: what every other module shares.
        .target(
            name: "SpinMDCore",
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))] + cpuFlags
        ),
        // The MD engine: neighbor lists, potentials, dynamics, relaxation, observers, file
        // formats, checkpoints, run configuration.
        .target(
            name: "SpinMD",
            dependencies: ["SpinMDCore", "CNetCDF"],
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))] + cpuFlags
        ),
        // The network only; it must not import SpinMD.
        .target(
            name: "SpinMultiNet",
            dependencies: ["SpinMDCore", "COpenBLAS"],
            swiftSettings: [
                .unsafeFlags(["-wmo"], .when(configuration: .release)),
                // NOTE: the network's SIMD kernels are generic over the channel lane and run
                // 100× slower unspecialised; debug builds (the tests) optimise this module too.
                .unsafeFlags(["-O"], .when(configuration: .debug)),
            ] + cpuFlags
        ),
        // The network as an MD `Potential`: fixed or self-consistent spins.
        .target(
            name: "SpinMultiNetPotential",
            dependencies: ["SpinMDCore", "SpinMD", "SpinMultiNet"],
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))] + cpuFlags
        ),
        // Training and evaluation of the network; swift-crypto hashes the training data files, zlib
        // compresses the parity plots.
        .target(
            name: "SpinMultiNetTraining",
            dependencies: [
                "SpinMDCore", "SpinMD", "SpinMultiNet", "SpinMultiNetPotential", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))] + cpuFlags
        ),
        // The C interface's header and its per-thread last error.
        .target(name: "CSpinMD"),
        // The C entry points over SpinMultiNetPotential (the `spinmdc` dynamic library).
        .target(
            name: "SpinMDLibrary",
            dependencies: ["CSpinMD", "SpinMDCore", "SpinMD", "SpinMultiNet", "SpinMultiNetPotential"],
            swiftSettings: [.unsafeFlags(["-wmo"], .when(configuration: .release))] + cpuFlags
        ),
        .executableTarget(
            name: "spinmd",
            dependencies: [
                "SpinMDCore",
                "SpinMD",
                "SpinMultiNet",
                "SpinMultiNetPotential",
                "SpinMultiNetTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The property battery every potential's tests run (docs/architecture.md, "Conformance battery").
        .target(name: "PotentialConformance", dependencies: ["SpinMDCore", "SpinMD"]),
        .testTarget(name: "SpinMDTests", dependencies: ["SpinMDCore", "SpinMD", "PotentialConformance"]),
        // Runs the built `spinmd` executable for the CLI and robustness tests.
        .target(name: "CLITestSupport", path: "Tests/CLITestSupport"),
        .testTarget(name: "CLITests", dependencies: ["CLITestSupport", "SpinMDCore", "SpinMD", "SpinMultiNet", "SpinMultiNetPotential", "SpinMultiNetTraining"]),
        // Mutated inputs, structures, models and checkpoints from a fixed seed through the real executable.
        .testTarget(name: "RobustnessTests", dependencies: ["CLITestSupport", "SpinMDCore", "SpinMD"]),
        .testTarget(name: "SpinMultiNetTests", dependencies: ["SpinMultiNet", "SpinMultiNetPotential", "SpinMultiNetTraining", "SpinMDCore", "SpinMD", "PotentialConformance"]),
    ],
    swiftLanguageModes: [.v6]
)
