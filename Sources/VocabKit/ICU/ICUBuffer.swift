import CICU

/// An owned `vk_buffer`: the output of one ICU shim call (bytes plus int32 records).
final class ICUBuffer {
    let handle: OpaquePointer

    init() { handle = vk_buffer_create() }
    deinit { vk_buffer_destroy(handle) }

    /// The bytes the last call wrote.
    var bytes: UnsafeBufferPointer<UInt8> {
        var count: Int32 = 0
        let pointer = vk_buffer_bytes(handle, &count)
        return UnsafeBufferPointer(start: pointer, count: Int(count))
    }

    /// The int32 records the last call wrote.
    var ints: UnsafeBufferPointer<Int32> {
        var count: Int32 = 0
        let pointer = vk_buffer_ints(handle, &count)
        return UnsafeBufferPointer(start: pointer, count: Int(count))
    }
}

/// A pool of non-thread-safe ICU handles (regexes, break iterators) cloned on demand, so one
/// configured object can be shared by every thread.
final class ICUHandlePool: @unchecked Sendable {
    private let prototype: OpaquePointer
    private let clone: (OpaquePointer) -> OpaquePointer?
    private let destroy: (OpaquePointer) -> Void
    private var free: [(OpaquePointer, ICUBuffer)] = []
    private let lock = Lock()

    init(prototype: OpaquePointer, clone: @escaping (OpaquePointer) -> OpaquePointer?,
         destroy: @escaping (OpaquePointer) -> Void) {
        self.prototype = prototype
        self.clone = clone
        self.destroy = destroy
    }

    deinit {
        for (handle, _) in free { destroy(handle) }
        destroy(prototype)
    }

    /// Runs `body` with a handle no other thread is using and a scratch buffer.
    func withHandle<R>(_ body: (OpaquePointer, ICUBuffer) throws -> R) throws -> R {
        let entry: (OpaquePointer, ICUBuffer) = try lock.withLock {
            if let entry = free.popLast() { return entry }
            guard let copy = clone(prototype) else {
                throw TextError.icuFailure(operation: "clone", code: -1)
            }
            return (copy, ICUBuffer())
        }
        defer { lock.withLock { free.append(entry) } }
        return try body(entry.0, entry.1)
    }
}
