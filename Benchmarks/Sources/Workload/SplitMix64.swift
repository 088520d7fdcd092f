/// SplitMix64 (Steele, Lea and Flood, 2014): a small, fast, deterministic
/// generator. The same seed gives the same sequence on every platform, which
/// is all a workload generator needs (it is not for cryptography).
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  @inline(__always)
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A double uniformly spread over `0 ..< 1` (53 random bits), like
  /// Python's `random()`.
  @inline(__always)
  public mutating func unit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// An integer in `0 ..< bound` (`bound > 0`), by the high half of a
  /// 64 × 64-bit product (Lemire's method without the rejection step: the bias
  /// is below `bound / 2^64`, far under anything a workload can show).
  @inline(__always)
  public mutating func below(_ bound: Int) -> Int {
    Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
  }
}
