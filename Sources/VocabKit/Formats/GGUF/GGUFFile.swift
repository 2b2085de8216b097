import Foundation

/// The metadata of a GGUF file (llama.cpp's model format): its version and key/value pairs in
/// file order. Tensor descriptions and tensor data are never read, so a multi-gigabyte model
/// costs what its metadata costs.
///
/// Layout (little-endian, versions 2 and 3): the magic "GGUF", a `u32` version, a `u64` tensor
/// count, a `u64` key/value count, then each pair as a string key (`u64` length and UTF-8 bytes),
/// a `u32` value type and the value. Arrays are a `u32` element type, a `u64` count and the
/// elements. Every length and count is checked against the bytes that remain before anything
/// is allocated, so a hostile file is an error, never a crash; memory stays within a small
/// multiple of the file's size (an array of empty strings is the worst case, about 5x).
public struct GGUFFile: Sendable, Equatable {
    /// One metadata value.
    public enum Value: Sendable, Equatable {
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
        case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool)
        case string([UInt8])
        case array(Array)

        /// The value as an integer, for any integer type.
        public var integer: Int64? {
            switch self {
            case .uint8(let v): return Int64(v)
            case .int8(let v): return Int64(v)
            case .uint16(let v): return Int64(v)
            case .int16(let v): return Int64(v)
            case .uint32(let v): return Int64(v)
            case .int32(let v): return Int64(v)
            case .uint64(let v): return Int64(exactly: v)
            case .int64(let v): return v
            default: return nil
            }
        }

        /// The value's GGUF type code.
        var typeCode: UInt32 {
            switch self {
            case .uint8: return 0
            case .int8: return 1
            case .uint16: return 2
            case .int16: return 3
            case .uint32: return 4
            case .int32: return 5
            case .float32: return 6
            case .bool: return 7
            case .string: return 8
            case .array: return 9
            case .uint64: return 10
            case .int64: return 11
            case .float64: return 12
            }
        }
    }

    /// An array value: typed storage for the element types tokenizers use, the file's own
    /// little-endian bytes for the other scalar types (so memory stays about the file's size).
    /// Arrays of arrays are not GGUF (llama.cpp refuses them), and neither does this reader.
    public enum Array: Sendable, Equatable {
        case strings([[UInt8]])
        case int32s([Int32])
        case float32s([Float])
        case bytes([UInt8], signed: Bool)
        /// Any other scalar element type: `type` is its code, `raw` the elements' bytes.
        case scalars(type: UInt32, raw: [UInt8])

        public var count: Int {
            switch self {
            case .strings(let v): return v.count
            case .int32s(let v): return v.count
            case .float32s(let v): return v.count
            case .bytes(let v, _): return v.count
            case .scalars(let type, let raw): return raw.count / GGUFFile.scalarSize(type)
            }
        }
    }

    /// The size of one scalar of GGUF type `type` (0 to 12, not string or array).
    static func scalarSize(_ type: UInt32) -> Int {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        default: return 8
        }
    }

    /// The GGUF version (2 or 3 are read; 3 is written).
    public var version: UInt32
    /// The number of tensors the file describes (kept for information; 0 in vocabulary-only files).
    public var tensorCount: UInt64
    /// Key/value pairs in file order.
    public var metadata: [(key: String, value: Value)]

    public init(version: UInt32 = 3, tensorCount: UInt64 = 0, metadata: [(key: String, value: Value)] = []) {
        self.version = version
        self.tensorCount = tensorCount
        self.metadata = metadata
    }

    public static func == (lhs: GGUFFile, rhs: GGUFFile) -> Bool {
        lhs.version == rhs.version && lhs.tensorCount == rhs.tensorCount
            && lhs.metadata.count == rhs.metadata.count
            && zip(lhs.metadata, rhs.metadata).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// The value stored under `key`, or nil.
    public subscript(key: String) -> Value? {
        metadata.first(where: { $0.key == key })?.value
    }

    /// The first four bytes of every GGUF file.
    static let magic: [UInt8] = Swift.Array("GGUF".utf8)

    /// Whether `data` starts like a GGUF file.
    static func looksLikeGGUF<D: DataProtocol>(_ data: D) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual(magic)
    }

    /// Reads the header and metadata of a GGUF file; the tensor section after them is not read.
    ///
    /// 1. Magic and version (2 or 3; version 1's 32-bit counts and big-endian files are refused
    ///    with what to do).
    /// 2. Each key/value pair, bounds-checked; duplicate keys are an error, as in llama.cpp.
    /// - Complexity: O(metadata bytes).
    public static func read(_ data: Data, path: String = "model.gguf") throws -> GGUFFile {
        try data.withUnsafeBytes { raw in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self), path: path)
            return try reader.file()
        }
    }

    /// Reads a GGUF file's metadata by mapping the file, so that only the pages the metadata
    /// occupies are read from disk, whatever the size of the tensors after it.
    public static func read(contentsOf url: URL) throws -> GGUFFile {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ModelError.invalidFile(path: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try read(data, path: url.path)
    }

    /// The bytes of a GGUF file holding this metadata and no tensors (version 3, aligned to 32
    /// bytes as the format requires of the tensor data that would follow).
    public func serialized() -> Data {
        var out: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ bytes: [UInt8]) { u64(UInt64(bytes.count)); out.append(contentsOf: bytes) }
        func value(_ v: Value) {
            switch v {
            case .uint8(let x): out.append(x)
            case .int8(let x): out.append(UInt8(bitPattern: x))
            case .uint16(let x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case .int16(let x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case .uint32(let x): u32(x)
            case .int32(let x): u32(UInt32(bitPattern: x))
            case .uint64(let x): u64(x)
            case .int64(let x): u64(UInt64(bitPattern: x))
            case .float32(let x): u32(x.bitPattern)
            case .float64(let x): u64(x.bitPattern)
            case .bool(let x): out.append(x ? 1 : 0)
            case .string(let x): string(x)
            case .array(let array):
                switch array {
                case .strings(let items): u32(8); u64(UInt64(items.count)); items.forEach(string)
                case .int32s(let items): u32(5); u64(UInt64(items.count)); items.forEach { u32(UInt32(bitPattern: $0)) }
                case .float32s(let items): u32(6); u64(UInt64(items.count)); items.forEach { u32($0.bitPattern) }
                case .bytes(let items, let signed): u32(signed ? 1 : 0); u64(UInt64(items.count)); out.append(contentsOf: items)
                case .scalars(let type, let raw): u32(type); u64(UInt64(raw.count / GGUFFile.scalarSize(type))); out.append(contentsOf: raw)
                }
            }
        }
        out.append(contentsOf: GGUFFile.magic)
        u32(3)
        u64(0)
        u64(UInt64(metadata.count))
        for (key, v) in metadata {
            string(Swift.Array(key.utf8))
            u32(v.typeCode)
            value(v)
        }
        let alignment = 32
        out.append(contentsOf: repeatElement(0, count: (alignment - out.count % alignment) % alignment))
        return Data(out)
    }
}

extension GGUFFile {
    /// A bounds-checked little-endian cursor over the file's bytes.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let path: String
        var offset = 0

        init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
            self.bytes = bytes
            self.path = path
        }

        var remaining: Int { bytes.count - offset }

        func fail(_ reason: String) -> ModelError {
            .invalidFile(path: path, reason: "\(reason) (GGUF byte offset \(offset))")
        }

        mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws -> UnsafeBufferPointer<UInt8> {
            guard count >= 0, count <= remaining else {
                throw fail("\(what()) runs past the end of the file (the file is truncated or corrupt)")
            }
            defer { offset += count }
            return UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)])
        }

        mutating func integer<T: FixedWidthInteger>(_ type: T.Type, _ what: @autoclosure () -> String) throws -> T {
            let chunk = try take(MemoryLayout<T>.size, what())
            var value: T = 0
            for (index, byte) in chunk.enumerated() { value |= T(truncatingIfNeeded: byte) << (8 * index) }
            return value
        }

        /// A count that must fit in what remains, at `minimumSize` bytes per element.
        mutating func count(_ what: @autoclosure () -> String, minimumSize: Int) throws -> Int {
            let raw = try integer(UInt64.self, what())
            guard raw <= UInt64(remaining / max(1, minimumSize)) else {
                throw fail("\(what()) says \(raw), more than the \(remaining) bytes left can hold (the file is corrupt)")
            }
            return Int(raw)
        }

        mutating func string(_ what: @autoclosure () -> String) throws -> [UInt8] {
            let length = try count("the length of \(what())", minimumSize: 1)
            return Swift.Array(try take(length, what()))
        }

        mutating func file() throws -> GGUFFile {
            guard bytes.count >= 4, bytes.prefix(4).elementsEqual(GGUFFile.magic) else {
                throw ModelError.invalidFile(path: path, reason: "not a GGUF file (it does not start with \"GGUF\")")
            }
            offset = 4
            let version = try integer(UInt32.self, "the version")
            switch version {
            case 2, 3: break
            case 1: throw fail("GGUF version 1 (32-bit counts) is not supported; convert the model again with a current llama.cpp")
            default:
                if version.byteSwapped == 2 || version.byteSwapped == 3 {
                    throw fail("this is a big-endian GGUF file; VocabKit reads little-endian GGUF (convert it with llama.cpp's gguf tools)")
                }
                throw fail("unknown GGUF version \(version) (versions 2 and 3 are read)")
            }
            let tensorCount = try integer(UInt64.self, "the tensor count")
            // A pair takes at least 8 (key length) + 4 (type) + 1 (smallest value) bytes.
            let pairs = try count("the metadata count", minimumSize: 13)
            var metadata: [(key: String, value: Value)] = []
            metadata.reserveCapacity(pairs)
            // Keys are compared as bytes, as llama.cpp compares them (Swift's String equality
            // would call canonically equivalent keys the same).
            var seen = Set<[UInt8]>()
            for index in 0..<pairs {
                let keyBytes = try string("metadata key \(index)")
                guard let key = String(validating: keyBytes, as: UTF8.self) else {
                    throw fail("metadata key \(index) is not valid UTF-8")
                }
                guard seen.insert(keyBytes).inserted else { throw fail("the key \(key) appears twice") }
                let type = try integer(UInt32.self, "the type of \(key)")
                metadata.append((key, try value(type: type, key: key)))
            }
            return GGUFFile(version: version, tensorCount: tensorCount, metadata: metadata)
        }

        mutating func value(type: UInt32, key: String) throws -> Value {
            switch type {
            case 0: return .uint8(try integer(UInt8.self, key))
            case 1: return .int8(try integer(Int8.self, key))
            case 2: return .uint16(try integer(UInt16.self, key))
            case 3: return .int16(try integer(Int16.self, key))
            case 4: return .uint32(try integer(UInt32.self, key))
            case 5: return .int32(try integer(Int32.self, key))
            case 6: return .float32(Float(bitPattern: try integer(UInt32.self, key)))
            case 7:
                let byte = try integer(UInt8.self, key)
                guard byte <= 1 else { throw fail("\(key) is a bool stored as \(byte) (must be 0 or 1)") }
                return .bool(byte == 1)
            case 8: return .string(try string(key))
            case 10: return .uint64(try integer(UInt64.self, key))
            case 11: return .int64(try integer(Int64.self, key))
            case 12: return .float64(Double(bitPattern: try integer(UInt64.self, key)))
            case 9:
                let elementType = try integer(UInt32.self, "the element type of \(key)")
                guard elementType <= 12 else { throw fail("\(key) is an array of unknown type \(elementType)") }
                guard elementType != 9 else { throw fail("\(key) is an array of arrays, which GGUF does not allow") }
                // A string takes at least its 8-byte length.
                let size = elementType == 8 ? 8 : GGUFFile.scalarSize(elementType)
                let count = try count("the element count of \(key)", minimumSize: size)
                switch elementType {
                case 8:
                    var items: [[UInt8]] = []
                    items.reserveCapacity(count)
                    for _ in 0..<count { items.append(try string(key)) }
                    return .array(.strings(items))
                case 5:
                    let chunk = try take(count * 4, key)
                    return .array(.int32s((0..<count).map { i in
                        Int32(bitPattern: UInt32(chunk[4 * i]) | UInt32(chunk[4 * i + 1]) << 8 | UInt32(chunk[4 * i + 2]) << 16 | UInt32(chunk[4 * i + 3]) << 24)
                    }))
                case 6:
                    let chunk = try take(count * 4, key)
                    return .array(.float32s((0..<count).map { i in
                        Float(bitPattern: UInt32(chunk[4 * i]) | UInt32(chunk[4 * i + 1]) << 8 | UInt32(chunk[4 * i + 2]) << 16 | UInt32(chunk[4 * i + 3]) << 24)
                    }))
                case 0, 1:
                    return .array(.bytes(Swift.Array(try take(count, key)), signed: elementType == 1))
                default:
                    let raw = Swift.Array(try take(count * size, key))
                    if elementType == 7, let bad = raw.first(where: { $0 > 1 }) {
                        throw fail("\(key) holds a bool stored as \(bad) (must be 0 or 1)")
                    }
                    return .array(.scalars(type: elementType, raw: raw))
                }
            default:
                throw fail("\(key) has unknown value type \(type) (GGUF defines 0 to 12)")
            }
        }
    }
}
