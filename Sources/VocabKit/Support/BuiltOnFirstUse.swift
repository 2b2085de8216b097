/// A value built once, by the first caller that needs it, and shared by every thread after:
/// what a model's encoder needs but loading should not pay for.
package final class BuiltOnFirstUse<Value: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value?

    package init() {}

    /// The value, built by `build` on the first call (threads that arrive together wait for that
    /// one build). O(1) after the first call: a lock and a copy (retaining the value's
    /// storage), so hot paths fetch it once per thread's scratch, not per call.
    package func value(_ build: () -> Value) -> Value {
        lock.withLock {
            if let value { return value }
            let built = build()
            value = built
            return built
        }
    }
}
