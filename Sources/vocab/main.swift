import CICU
import Foundation
var buf = [CChar](repeating: 0, count: 32)
vk_icu_version(&buf, 32)
print(String(cString: buf), Date())
let b = vk_buffer_create()!
let s = Array("e\u{301}ﬁ ABC".utf8)
print(vk_normalize(Int32(VK_NFKC), s, Int32(s.count), b))
var n: Int32 = 0
let p = vk_buffer_bytes(b, &n)!
print(String(decoding: UnsafeBufferPointer(start: p, count: Int(n)), as: UTF8.self))
print(String(1.5), "x".uppercased(), "é".localizedUppercase)
