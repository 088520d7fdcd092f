// A compact, unambiguous text form of `Expr`, for tests and debugging:
//   `1 + 2 * 3`        → `_+_(1, _*_(2, 3))`
//   `a.b(c)`           → `a.b(c)`        (receiver call)
//   `has(a.f)`         → `a.f~test-only`
//   `[1].all(x, x>0)`  → `__comprehension__(x, [1], @result, true, …)`
// Literals: ints as digits, uints with `u`, doubles as their source text, strings and
// bytes double-quoted with escapes (`"a\n"`, `b"\xff"`).

/// Prints expressions in the compact form described above.
enum ExprPrinter {
  /// The text form of `expr`.
  static func print(_ expr: Expr) -> String {
    var out = ""
    write(expr, to: &out)
    return out
  }

  private static func write(_ expr: Expr, to out: inout String) {
    switch expr.kind {
    case .literal(let literal):
      write(literal, to: &out)
    case .ident(let name):
      out += name
    case .select(let operand, let field, let testOnly):
      write(operand, to: &out)
      out += "." + field
      if testOnly { out += "~test-only" }
    case .call(let function, let target, let args):
      if let target {
        write(target, to: &out)
        out += "."
      }
      out += function + "("
      writeList(args, to: &out)
      out += ")"
    case .list(let elements):
      out += "["
      writeList(elements, to: &out)
      out += "]"
    case .map(let entries):
      out += "{"
      for (i, entry) in entries.enumerated() {
        if i > 0 { out += ", " }
        write(entry.key, to: &out)
        out += ": "
        write(entry.value, to: &out)
      }
      out += "}"
    case .comprehension(let c):
      out += "__comprehension__(" + c.iterVar
      if let second = c.iterVar2 { out += ", " + second }
      out += ", "
      writeList(
        [c.iterRange], to: &out)
      out += ", " + c.accuVar + ", "
      writeList([c.accuInit, c.loopCondition, c.loopStep, c.result], to: &out)
      out += ")"
    }
  }

  private static func writeList(_ exprs: [Expr], to out: inout String) {
    for (i, e) in exprs.enumerated() {
      if i > 0 { out += ", " }
      write(e, to: &out)
    }
  }

  private static func write(_ literal: Expr.Literal, to out: inout String) {
    switch literal {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .uint(let u): out += String(u) + "u"
    case .double(_, let text): out += text
    case .string(let s):
      out += "\""
      for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
          if scalar.value < 0x20 || scalar.value == 0x7F {
            out += "\\x" + hex(scalar.value)
          } else {
            out.unicodeScalars.append(scalar)
          }
        }
      }
      out += "\""
    case .bytes(let bytes):
      out += "b\""
      for byte in bytes {
        if byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C {
          out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
          out += "\\x" + hex(UInt32(byte))
        }
      }
      out += "\""
    }
  }

  private static func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return digits.count < 2 ? "0" + digits : digits
  }
}
