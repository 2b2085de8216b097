import Testing
@testable import VocabKit

/// The byte trie under LinMaxMatch (WordPiece) and tiktoken's long-token splitter, checked
/// against a dictionary, across many doublings of its child table.
@Suite("Byte trie")
struct ByteTrieTests {
    @Test("keys inserted into a trie that grows from 16 slots are all found, once each")
    func growsAndFindsEveryKey() {
        var generator = SplitMix64(seed: 11)
        var trie = ByteTrie(capacity: 0)
        var expected: [[UInt8]: UInt32] = [:]
        var prefixes = Set<[UInt8]>()
        for id in 0..<6000 {
            // Small alphabets share prefixes; some keys repeat (the later id wins).
            let alphabet = UInt8(2 + generator.next() % 20)
            let key = (0..<Int(1 + generator.next() % 12)).map { _ in UInt8(generator.next() % UInt64(alphabet)) }
            trie.insert(key, id: UInt32(id))
            expected[key] = UInt32(id)
            for length in 1...key.count { prefixes.insert(Array(key[..<length])) }
        }
        // One node per distinct prefix, plus the root: a rehash that lost an edge would make
        // a later insert create a second node for it.
        #expect(trie.count == prefixes.count + 1)
        for (key, id) in expected {
            var node: Int32 = 0
            for byte in key { node = trie.child(node, byte) }
            #expect(node > 0 && trie.terminal[Int(node)] == id)
            let found = key.withUnsafeBufferPointer { trie.longestPrefix(of: $0, from: 0) }
            #expect(found?.end == key.count && found?.id == id)
        }
        // A path that is no key's prefix, and a negative node, lead nowhere.
        #expect(trie.child(0, 200) == -1)
        for byte in 0...255 { #expect(trie.child(-1, UInt8(byte)) == -1) }
    }
}
