// swift-tools-version:6.0
import PackageDescription

/// ICU is linked from the system (`libicu-dev`). Foundation on Linux bundles its own ICU as
/// `_FoundationICU`; it is listed first so Foundation's symbols bind to its own copy and ours
/// (versioned `icu_72::` C++ symbols) to the system libraries.
let icuLinkerSettings: [LinkerSetting] = [
    .linkedLibrary("_FoundationICU"),
    .linkedLibrary("icui18n"),
    .linkedLibrary("icuuc"),
    .linkedLibrary("icudata"),
]

let package = Package(
    name: "VocabKit",
    products: [
        .library(name: "VocabKit", targets: ["VocabKit"]),
        .library(name: "VocabTraining", targets: ["VocabTraining"]),
        .library(name: "VocabAnalysis", targets: ["VocabAnalysis"]),
        .executable(name: "vocab", targets: ["vocab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Runtime only: the generated code for SentencePiece's `.model` schema is committed.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        // The sweep's sampler keeps its units in a heap (HeapModule only).
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // `swift package generate-documentation` (DocC), run in CI; not linked into any product.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "CICU",
            linkerSettings: icuLinkerSettings
        ),
        .target(
            name: "VocabKit",
            dependencies: ["CICU", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Formats/SentencePiece/Proto"]
        ),
        .target(
            name: "VocabTraining",
            dependencies: ["VocabKit"]
        ),
        .target(
            name: "VocabAnalysis",
            dependencies: ["VocabKit", "VocabTraining", .product(name: "HeapModule", package: "swift-collections")]
        ),
        .executableTarget(
            name: "vocab",
            dependencies: [
                "VocabKit",
                "VocabTraining",
                "VocabAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer targets (Fuzz/README.md): built with -sanitize=fuzzer,address -DFUZZING by
        // Scripts/fuzz.sh; a plain build replays input files through the same targets.
        .executableTarget(
            name: "vocab-fuzz",
            dependencies: ["VocabKit", "VocabTraining"],
            path: "Fuzz/VocabFuzz"
        ),
        .executableTarget(
            name: "vocab-bench",
            dependencies: ["VocabKit"],
            path: "Benchmarks/VocabBench"
        ),
        // Helpers shared by the test targets (corpus and fixture paths, temporary files).
        .target(
            name: "VocabTestSupport",
            path: "Tests/VocabTestSupport"
        ),
        .testTarget(
            name: "VocabKitTests",
            dependencies: ["VocabKit", "VocabTestSupport"]
        ),
        .testTarget(
            name: "VocabTrainingTests",
            // VocabAnalysis for the hybrid's held-out measures.
            dependencies: ["VocabTraining", "VocabKit", "VocabAnalysis", "VocabTestSupport"]
        ),
        .testTarget(
            name: "VocabAnalysisTests",
            dependencies: ["VocabAnalysis", "VocabTraining", "VocabKit", "VocabTestSupport"]
        ),
        // The `vocab` executable end to end (built by `swift test` beside the test binary).
        .testTarget(
            name: "VocabCommandLineTests",
            dependencies: ["VocabKit", "VocabTraining", "VocabTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
