#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `EncoderScratch` per thread, kept between calls, for the calls that take no scratch
/// (`Tokenizer.encode(_: String)`, `encodeBatch`'s chunks): a call then costs what its text
/// costs, not the 30 µs of building the piece caches.
///
/// The scratch lives in pthread thread-local storage and is freed when its thread ends. While a
/// call uses it the slot is empty, so a nested call on the same thread builds its own. Memory: one
/// scratch per thread that has encoded: the piece caches (bounded, see `PieceCache` and
/// `ShortPieceCache`) and buffers for at most `keptBufferElements` symbols, lattice nodes or
/// front-end elements (`FrontEndBuffers` keeps no larger array even without this drop); larger
/// ones, grown by a long text, are dropped after the call (a 100 MB line would otherwise keep
/// 1.6 GB of lattice per thread).
enum ThreadScratch {
    private final class Box {
        var scratch: EncoderScratch?
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Glibc)
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<Box>.fromOpaque(pointer).release() }
        }
        #else
        let status = pthread_key_create(&key) { pointer in Unmanaged<Box>.fromOpaque(pointer).release() }
        #endif
        precondition(status == 0, "pthread_key_create failed (\(status)): the process is out of thread-local keys")
        return key
    }()

    /// The largest buffers (in elements) a thread's scratch keeps between calls.
    static let keptBufferElements = 1 << 16

    /// Calls `body` with this thread's scratch, set to `sampling` with its generator at the seed,
    /// exactly as a new `EncoderScratch(sampling:)` would be.
    static func with<R>(sampling: SubwordSampling?, _ body: (inout EncoderScratch) throws -> R) rethrows -> R {
        let box: Box
        if let pointer = pthread_getspecific(key) {
            box = Unmanaged<Box>.fromOpaque(pointer).takeUnretainedValue()
        } else {
            box = Box()
            pthread_setspecific(key, Unmanaged.passRetained(box).toOpaque())
        }
        var scratch = box.scratch ?? EncoderScratch()
        box.scratch = nil
        defer {
            scratch.dropBuffers(over: keptBufferElements)
            box.scratch = scratch
        }
        scratch.sampling = sampling
        scratch.reseed(sampling?.seed ?? 0)
        return try body(&scratch)
    }
}
