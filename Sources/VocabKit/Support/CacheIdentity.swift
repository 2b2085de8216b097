/// A unique token naming whose results a cache holds.
///
/// A cache compares its owner with `===`; holding the object (not its address) means a freed
/// owner's address can never be mistaken for a new one.
final class CacheIdentity: Sendable {
    init() {}
}
