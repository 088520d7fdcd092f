extension Unicode.Scalar {
  /// Whether a terminal shows this scalar in two columns (East Asian Wide or Fullwidth).
  var isWide: Bool {
    let v = value
    if v < 0x1100 { return false }
    return (0x1100...0x115F).contains(v)
      || (0x2E80...0x303E).contains(v)
      || (0x3041...0x33FF).contains(v)
      || (0x3400...0x4DBF).contains(v)
      || (0x4E00...0x9FFF).contains(v)
      || (0xA000...0xA4CF).contains(v)
      || (0xAC00...0xD7A3).contains(v)
      || (0xF900...0xFAFF).contains(v)
      || (0xFE30...0xFE4F).contains(v)
      || (0xFF00...0xFF60).contains(v)
      || (0xFFE0...0xFFE6).contains(v)
      || (0x1F300...0x1F64F).contains(v)
      || (0x1F900...0x1F9FF).contains(v)
      || (0x20000...0x2FFFD).contains(v)
      || (0x30000...0x3FFFD).contains(v)
  }

  /// Whether this scalar takes no column of its own (combining marks, zero-width joiners).
  var isZeroWidth: Bool {
    switch properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: true
    default: false
    }
  }
}

extension StringProtocol {
  /// The number of terminal columns the text takes: wide characters count two.
  var displayWidth: Int {
    var width = 0
    for scalar in unicodeScalars {
      if scalar.isZeroWidth { continue }
      width += scalar.isWide ? 2 : 1
    }
    return width
  }
}
