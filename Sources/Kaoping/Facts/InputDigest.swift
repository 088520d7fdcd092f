#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// SHA-256 of input files (`sha256` in results), fast enough for files of hundreds of
/// megabytes: the system's libcrypto when it can be loaded (it uses the processor's SHA
/// instructions), else a portable implementation that allocates nothing per block. Both
/// give the same digest; which one runs never changes a result.
final class InputDigest {
  private var engine: Engine

  private enum Engine {
    case libcrypto(OpaquePointer)
    case portable(PortableSHA256)
  }

  /// A digest; `portable` forces the built-in implementation (for tests).
  init(portable: Bool = false) {
    if !portable, let crypto = LibCrypto.shared, let context = crypto.newContext() {
      engine = .libcrypto(context)
    } else {
      engine = .portable(PortableSHA256())
    }
  }

  deinit {
    if case .libcrypto(let context) = engine { LibCrypto.shared?.free(context) }
  }

  var usesLibCrypto: Bool {
    if case .libcrypto = engine { return true }
    return false
  }

  func update(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0 else { return }
    switch engine {
    case .libcrypto(let context): LibCrypto.shared?.update(context, bytes)
    case .portable(var hasher):
      engine = .portable(PortableSHA256())  // keep `hasher` uniquely referenced while it runs
      hasher.update(bytes)
      engine = .portable(hasher)
    }
  }

  /// The digest as 64 lower-case hex digits.
  func finalizeHex() -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    switch engine {
    case .libcrypto(let context): LibCrypto.shared?.final(context, &digest)
    case .portable(var hasher): digest = hasher.finalize()
    }
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(64)
    for byte in digest {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func sha256Hex(_ bytes: [UInt8]) -> String {
    let digest = InputDigest()
    bytes.withUnsafeBytes { digest.update($0) }
    return digest.finalizeHex()
  }

  static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
    let digest = InputDigest()
    digest.update(bytes)
    return digest.finalizeHex()
  }
}

/// libcrypto's EVP digest functions, loaded at run time (no build dependency).
private final class LibCrypto: @unchecked Sendable {
  typealias NewContext = @convention(c) () -> OpaquePointer?
  typealias FreeContext = @convention(c) (OpaquePointer?) -> Void
  typealias Method = @convention(c) () -> OpaquePointer?
  typealias Init = @convention(c) (OpaquePointer?, OpaquePointer?, OpaquePointer?) -> Int32
  typealias Update = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int) -> Int32
  typealias Final = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt32>?) -> Int32

  let newContextFunction: NewContext
  let freeContext: FreeContext
  let sha256: OpaquePointer
  let initFunction: Init
  let updateFunction: Update
  let finalFunction: Final

  static let shared: LibCrypto? = LibCrypto()

  private init?() {
    #if os(Linux)
      let names = ["libcrypto.so.3", "libcrypto.so"]
    #elseif canImport(Darwin)
      let names: [String] = []
    #else
      let names: [String] = []
    #endif
    var handle: UnsafeMutableRawPointer? = nil
    for name in names {
      handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
      if handle != nil { break }
    }
    guard let handle else { return nil }
    func symbol<T>(_ name: String, as type: T.Type) -> T? {
      guard let pointer = dlsym(handle, name) else { return nil }
      return unsafeBitCast(pointer, to: type)
    }
    guard let newContext = symbol("EVP_MD_CTX_new", as: NewContext.self),
      let freeContext = symbol("EVP_MD_CTX_free", as: FreeContext.self),
      let method = symbol("EVP_sha256", as: Method.self),
      let initFunction = symbol("EVP_DigestInit_ex", as: Init.self),
      let update = symbol("EVP_DigestUpdate", as: Update.self),
      let final = symbol("EVP_DigestFinal_ex", as: Final.self),
      let sha256 = method()
    else { return nil }
    self.newContextFunction = newContext
    self.freeContext = freeContext
    self.sha256 = sha256
    self.initFunction = initFunction
    self.updateFunction = update
    self.finalFunction = final
    // Check it against a known digest before trusting it.
    guard let context = newContextFunction() else { return nil }
    defer { freeContext(context) }
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    let abc: [UInt8] = [0x61, 0x62, 0x63]
    guard initFunction(context, sha256, nil) == 1,
      abc.withUnsafeBytes({ updateFunction(context, $0.baseAddress, 3) }) == 1,
      finalFunction(context, &digest, &length) == 1, length == 32,
      digest.prefix(4) == [0xBA, 0x78, 0x16, 0xBF]
    else { return nil }
  }

  func newContext() -> OpaquePointer? {
    guard let context = newContextFunction() else { return nil }
    guard initFunction(context, sha256, nil) == 1 else {
      freeContext(context)
      return nil
    }
    return context
  }

  func free(_ context: OpaquePointer) { freeContext(context) }

  func update(_ context: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
    _ = updateFunction(context, bytes.baseAddress, bytes.count)
  }

  func final(_ context: OpaquePointer, _ digest: inout [UInt8]) {
    var length: UInt32 = 0
    _ = digest.withUnsafeMutableBufferPointer { finalFunction(context, $0.baseAddress, &length) }
  }
}

/// SHA-256 (FIPS 180-4) in Swift: the state and message schedule live in fixed storage.
struct PortableSHA256 {
  private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  private var pending: [UInt8] = []
  private var length: UInt64 = 0

  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    length &+= UInt64(bytes.count)
    var index = 0
    if !pending.isEmpty {
      let take = Swift.min(64 - pending.count, bytes.count)
      pending.append(contentsOf: bytes[0..<take])
      index = take
      if pending.count == 64 {
        let block = pending
        block.withUnsafeBytes { compress($0.baseAddress!) }
        pending.removeAll(keepingCapacity: true)
      }
    }
    guard let base = bytes.baseAddress else { return }
    while index + 64 <= bytes.count {
      compress(base + index)
      index += 64
    }
    if index < bytes.count { pending.append(contentsOf: bytes[index...]) }
  }

  mutating func finalize() -> [UInt8] {
    let bitLength = length &* 8
    var tail: [UInt8] = [0x80]
    let used = (pending.count + 1) % 64
    tail += [UInt8](repeating: 0, count: used <= 56 ? 56 - used : 120 - used)
    for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    tail.withUnsafeBytes { update($0) }
    var out: [UInt8] = []
    for word in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7] {
      out += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8),
              UInt8(truncatingIfNeeded: word)]
    }
    return out
  }

  @inline(__always)
  private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

  private mutating func compress(_ block: UnsafeRawPointer) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
      for i in 16..<64 {
        let a = w[i - 15]
        let b = w[i - 2]
        let s0 = Self.rotr(a, 7) ^ Self.rotr(a, 18) ^ (a >> 3)
        let s1 = Self.rotr(b, 17) ^ Self.rotr(b, 19) ^ (b >> 10)
        w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
      }
      var (a, b, c, d, e, f, g, hh) = h
      Self.k.withUnsafeBufferPointer { k in
        for i in 0..<64 {
          let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
          let choice = (e & f) ^ (~e & g)
          let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
          let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
          let majority = (a & b) ^ (a & c) ^ (b & c)
          let t2 = s0 &+ majority
          hh = g
          g = f
          f = e
          e = d &+ t1
          d = c
          c = b
          b = a
          a = t1 &+ t2
        }
      }
      h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
    }
  }
}
