// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "spinmd",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spinmd", targets: ["spinmd"]),
        .library(name: "SpinMD", targets: ["SpinMD"]),
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
        .target(
            name: "SpinMD",
            dependencies: ["CNetCDF"],
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "SpinMultiNet",
            dependencies: ["SpinMD", "COpenBLAS", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: [
                .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
                // NOTE: the network's SIMD kernels are generic over the channel lane and run
                // 100× slower unspecialised; debug builds (the tests) optimise this module too.
                .unsafeFlags(["-O"], .when(configuration: .debug)),
            ]
        ),
        .executableTarget(
            name: "spinmd",
            dependencies: [
                "SpinMD",
                "SpinMultiNet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SpinMDTests", dependencies: ["SpinMD"]),
        .testTarget(name: "CLITests", dependencies: ["SpinMD", "SpinMultiNet"]),
        .testTarget(name: "SpinMultiNetTests", dependencies: ["SpinMultiNet", "SpinMD"]),
    ],
    swiftLanguageModes: [.v5]
)
