// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-bench", targets: ["VigilBench"]),
        // The movie writer as a plug-in (libVigilMatroska.so) that CMatroska's loader opens with
        // dlopen when the first movie is written; no target depends on VigilMatroska.
        .library(name: "VigilMatroska", type: .dynamic, targets: ["VigilMatroska"]),
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
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // Without Hummingbird's default trait ConfigurationSupport (swift-configuration, unused
        // here): Swift 6.2's package manager does not find that trait-conditional product.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // NIOHTTPTypes: the request and response parts Hummingbird's HTTP/1 pipeline carries.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries, each behind a local shim header.
        // libgpiod, v1 (1.6) or v2 (2.x) API: whichever pkg-config finds. CGPIOD presents one
        // interface over both, its implementation chosen by the preprocessor from gpiod.h.
        .systemLibrary(
            name: "CLibGPIOD", path: "Sources/CLibGPIOD", pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]),
        .target(name: "CGPIOD", dependencies: ["CLibGPIOD"]),
        .systemLibrary(
            name: "CSerialPort", path: "Sources/CSerialPort", pkgConfig: "libserialport",
            providers: [.apt(["libserialport-dev"])]),

        .systemLibrary(name: "CPosix", path: "Sources/CPosix"),
        .systemLibrary(
            name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),

        // libavformat, loaded with dlopen only where movies are read or repaired (MovieReader,
        // MovieProbe, MovieRepair): FFmpeg and the shared objects it pulls in are not mapped
        // into a recorder that only writes movies. Needs libavformat-dev's headers to build.
        .target(name: "CAVFormat", linkerSettings: [.linkedLibrary("dl")]),
        // The movie writer: libmatroska and libebml (libmatroska-dev), C++ behind a C interface,
        // built only into the VigilMatroska plug-in; CMatroska is its loader (dlopen on the first
        // movie), so a recorder that writes no movie maps neither library.
        // No Swift in it, so none of Swift's runtime: -nostartfiles leaves out swiftrt.o (which
        // needs libswiftCore), -static-stdlib the -lswiftCore the driver adds to every dynamic
        // link (nothing is taken from the static archive, and no libswiftCore.so is NEEDED, which
        // the package, linked with the static runtime, does not ship).
        .target(
            name: "VigilMatroska", publicHeadersPath: ".",
            linkerSettings: [
                .linkedLibrary("matroska"), .linkedLibrary("ebml"), .unsafeFlags(["-nostartfiles", "-static-stdlib"]),
            ]),
        .target(name: "CMatroska", linkerSettings: [.linkedLibrary("dl")]),

        // libmosquitto (libmosquitto-dev), loaded with dlopen when the first MQTT client is made:
        // it pulls in OpenSSL, which a node without `mqtt:` does not map.
        .target(name: "CMosquitto", linkerSettings: [.linkedLibrary("dl")]),

        .target(name: "HAL"),
        // The one helper every C call of the HAL backends goes through (errno to HALError).
        .target(name: "SystemCalls", dependencies: ["HAL"]),
        // The one file-system layer: atomic, durable publishing, typed errno, free space.
        .target(name: "Files", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "HALLinux", dependencies: ["HAL", "SystemCalls", "Files", "CGPIOD", "CSerialPort", "CPosix"]),
        .target(name: "HALSimulation", dependencies: ["HAL", "SystemCalls", "CPosix"]),
        .target(name: "BoardSupport", dependencies: ["HAL", .product(name: "Yams", package: "Yams")]),
        .target(name: "Peripherals", dependencies: ["HAL"]),
        .target(name: "CameraProtocols"),
        .target(name: "CameraDrivers", dependencies: ["HAL", "CameraProtocols"]),
        .target(name: "JPEG", dependencies: ["CTurboJPEG"]),
        .target(name: "Scenes", dependencies: ["HAL", "JPEG"]),
        .target(name: "Emulators", dependencies: ["HAL", "HALSimulation", "CameraProtocols", "Scenes", "JPEG"]),
        .target(name: "Movies", dependencies: ["Files", "CAVFormat", "CMatroska"]),
        .target(name: "EventStore", dependencies: ["Files", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "Recorder",
            dependencies: [
                "HAL", "SystemCalls", "Files", "CPosix", "CameraDrivers", "Peripherals", "JPEG", "Movies", "EventStore",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The composition root: board + configuration -> a running node with one typed API.
        .target(
            name: "Node",
            dependencies: [
                "HAL", "HALLinux", "HALSimulation", "BoardSupport", "CameraProtocols", "CameraDrivers", "Emulators", "Scenes", "JPEG",
                "Recorder", "EventStore", "Peripherals", "SystemCalls", "CPosix", "Files", "Movies",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]),
        // The HTTP consumer of the node: JSON API, snapshots, MJPEG, /metrics, the status page.
        .target(
            name: "HTTPInterface",
            dependencies: [
                "Node", "HAL", "CameraDrivers", "Recorder", "EventStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("openapi.yaml")]),
        // MQTT: a consumer of the node's API on libmosquitto (state, events, commands, discovery).
        .target(
            name: "MQTTInterface",
            dependencies: [
                "Node", "Recorder", "EventStore", "Files", "CMosquitto", .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "VigilCLI",
            dependencies: [
                "Node", "HTTPInterface", "MQTTInterface", "HAL", "Files", "HALLinux", "HALSimulation", "BoardSupport", "CameraProtocols", "CameraDrivers",
                "Emulators", "Scenes", "Recorder", "EventStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "vigil", dependencies: ["VigilCLI"]),
        // Tools/bench's sections, one type each (`vigil-bench SECTION`), and `vigil-bench all` that runs them.
        .executableTarget(
            name: "VigilBench",
            dependencies: [
                "Node", "HAL", "SystemCalls", "HALLinux", "HALSimulation", "BoardSupport", "CameraProtocols", "Scenes", "Recorder", "Movies",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/VigilBench"),

        // Helpers shared by the test targets (running ffprobe and other tools).
        .target(name: "TestSupport", dependencies: ["Files", "CPosix"], path: "Tests/TestSupport"),
        .testTarget(name: "HALTests", dependencies: ["HAL", "HALSimulation"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["HAL", "SystemCalls"]),
        .testTarget(name: "FilesTests", dependencies: ["Files", "TestSupport"]),
        .testTarget(name: "HALLinuxTests", dependencies: ["HAL", "HALLinux", "SystemCalls", "CGPIOD"]),
        .testTarget(name: "HALSimulationTests", dependencies: ["HAL", "HALSimulation", "TestSupport"]),
        .testTarget(
            name: "BoardSupportTests", dependencies: ["HAL", "HALSimulation", "BoardSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "PeripheralsTests", dependencies: ["HAL", "HALSimulation", "Peripherals"]),
        .testTarget(name: "CameraProtocolsTests", dependencies: ["CameraProtocols"]),
        .testTarget(name: "JPEGTests", dependencies: ["JPEG", "TestSupport"]),
        .testTarget(
            name: "CameraDriversTests",
            dependencies: ["HAL", "HALSimulation", "CameraProtocols", "CameraDrivers", "Emulators", "Scenes", "JPEG"]),
        .testTarget(name: "ScenesTests", dependencies: ["HAL", "JPEG", "Scenes", "TestSupport"]),
        .testTarget(name: "EmulatorsTests", dependencies: ["HAL", "HALSimulation", "CameraProtocols", "Scenes", "Emulators", "JPEG"]),
        .testTarget(name: "MoviesTests", dependencies: ["Movies", "Files", "JPEG", "HALSimulation", "TestSupport"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "Files"]),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "HAL", "HALSimulation", "CameraProtocols", "CameraDrivers", "Emulators", "Scenes", "JPEG", "Movies", "EventStore",
                "Files", "Recorder", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "HILTests",
            dependencies: [
                "Node", "HAL", "HALLinux", "HALSimulation", "BoardSupport", "CameraDrivers", "Emulators", "Scenes", "JPEG", "Recorder",
                "EventStore", "TestSupport",
            ]),
        .testTarget(
            name: "NodeTests",
            dependencies: [
                "Node", "HAL", "HALSimulation", "BoardSupport", "CameraDrivers", "Recorder", "EventStore", "Files", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "VigilCLITests",
            dependencies: ["VigilCLI", "Node", "HAL", "HALSimulation", "Recorder", "EventStore", "TestSupport"]),
        .testTarget(
            name: "HTTPInterfaceTests",
            dependencies: [
                "HTTPInterface", "VigilCLI", "Node", "HAL", "HALSimulation", "BoardSupport", "Recorder", "EventStore", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]),
        .testTarget(
            name: "MQTTInterfaceTests",
            dependencies: [
                "MQTTInterface", "Node", "Recorder", "EventStore", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// `Tools/fuzz` builds with VIGIL_FUZZ=1 (into .build-fuzz, instrumented with
// -sanitize=fuzzer,address): the libFuzzer harnesses of every parser of outside input, in
// one executable. Without it they are no part of the package, so the normal build is unchanged.
if Context.environment["VIGIL_FUZZ"] != nil {
    package.targets += [
        // libFuzzer's entry point (LLVMFuzzerRunDriver), declared for Swift; it links from the toolchain.
        .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
        .executableTarget(
            name: "VigilFuzz",
            dependencies: ["CLibFuzzer", "CAVFormat", "HAL", "BoardSupport", "CameraProtocols", "Movies", "Files", "Recorder", "Node", "MQTTInterface"],
            path: "Fuzz/VigilFuzz",
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]),
    ]
    package.products.append(.executable(name: "vigil-fuzz", targets: ["VigilFuzz"]))
}
