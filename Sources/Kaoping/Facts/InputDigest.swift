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
    case portable(SHA256)
  }

  /// A digest; `portable` forces the built-in implementation (for tests).
  init(portable: Bool = false) {
    if !portable, let crypto = LibCrypto.shared, let context = crypto.newContext() {
      engine = .libcrypto(context)
    } else {
      engine = .portable(SHA256())
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
      engine = .portable(SHA256())  // keep `hasher` uniquely referenced while it runs
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
