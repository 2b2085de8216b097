// swift-tools-version:6.0
import Foundation
import PackageDescription

// Model code's view of VocabKit: a package that depends on it by path (the repository two levels
// up). A path dependency's identity is its folder's name, whatever the clone is called.
let vocabKitPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
let vocabKitIdentity = vocabKitPath.lastPathComponent

let package = Package(
    name: "BatchEncoding",
    dependencies: [.package(path: vocabKitPath.path)],
    targets: [
        .executableTarget(
            name: "BatchEncoding",
            dependencies: [.product(name: "VocabKit", package: vocabKitIdentity)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
