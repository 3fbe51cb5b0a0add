// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .library(name: "HAL", targets: ["HAL"]),
        .library(name: "HALLinux", targets: ["HALLinux"]),
        .library(name: "HALSimulation", targets: ["HALSimulation"]),
        .library(name: "BoardSupport", targets: ["BoardSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C libraries, each behind a local shim header.
        .systemLibrary(
            name: "CGPIOD", path: "Sources/CGPIOD", pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(
            name: "CSerialPort", path: "Sources/CSerialPort", pkgConfig: "libserialport",
            providers: [.apt(["libserialport-dev"])]),

        .systemLibrary(name: "CPosix", path: "Sources/CPosix"),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),

        .target(name: "HAL"),
        .target(
            name: "HALLinux",
            dependencies: [
                "HAL", "CGPIOD", "CSerialPort",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(name: "HALSimulation", dependencies: ["HAL", "CPosix"]),
        .target(name: "BoardSupport", dependencies: ["HAL", .product(name: "Yams", package: "Yams")]),
        .target(name: "CameraProtocols"),
        .target(name: "CameraDrivers", dependencies: ["HAL", "CameraProtocols"]),
        .target(name: "JPEG", dependencies: ["CTurboJPEG"]),
        .target(name: "Scenes", dependencies: ["HAL", "JPEG"]),
        .target(name: "Emulators", dependencies: ["HAL", "HALSimulation", "CameraProtocols", "Scenes"]),
        .target(
            name: "VigilCLI",
            dependencies: [
                "HAL", "HALLinux", "HALSimulation", "BoardSupport", "CameraProtocols", "CameraDrivers", "Emulators", "Scenes", "JPEG",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "vigil", dependencies: ["VigilCLI"]),

        .testTarget(name: "HALTests", dependencies: ["HAL"]),
        .testTarget(name: "HALLinuxTests", dependencies: ["HAL", "HALLinux"]),
        .testTarget(name: "HALSimulationTests", dependencies: ["HAL", "HALSimulation"]),
        .testTarget(name: "BoardSupportTests", dependencies: ["HAL", "BoardSupport"]),
        .testTarget(name: "CameraProtocolsTests", dependencies: ["CameraProtocols"]),
        .testTarget(name: "JPEGTests", dependencies: ["JPEG"]),
        .testTarget(
            name: "CameraDriversTests",
            dependencies: ["HAL", "HALSimulation", "CameraProtocols", "CameraDrivers", "Emulators", "Scenes", "JPEG"]),
        .testTarget(name: "ScenesTests", dependencies: ["HAL", "JPEG", "Scenes"]),
        .testTarget(name: "EmulatorsTests", dependencies: ["HAL", "HALSimulation", "CameraProtocols", "Scenes", "Emulators", "JPEG"]),
        .testTarget(name: "VigilCLITests", dependencies: ["VigilCLI", "HAL", "HALSimulation", "BoardSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
