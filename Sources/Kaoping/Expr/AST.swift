// The abstract syntax of CEL expressions, as produced by the parser and consumed by the
// checker and the compiler. Macros (`all`, `exists`, `exists_one`, `map`, `filter`) are
// expanded by the parser into comprehensions; `has(x.f)` becomes a test-only select.
// Operators are calls with the function names CEL uses internally:
//   `_+_` `_-_` `_*_` `_/_` `_%_` `_==_` `_!=_` `_<_` `_<=_` `_>_` `_>=_`
//   `_&&_` `_||_` `_?_:_` `!_` `-_` `_[_]` `@in`, and `@not_strictly_false`
//   (only inside macro expansions).

/// One node of a parsed CEL expression.
struct Expr: Sendable, Equatable {
  /// Unique within one parsed expression; assigned in parse order, starting at 1.
  var id: Int32
  /// Offset, in Unicode scalars from the start of the expression text, of the token
  /// that best identifies this node (the operator of a binary expression, the `.` of a
  /// select, the name of a call, the first token of a literal).
  var offset: Int
  var kind: Kind

  init(id: Int32, offset: Int, kind: Kind) {
    self.id = id
    self.offset = offset
    self.kind = kind
  }

  indirect enum Kind: Sendable, Equatable {
    case literal(Literal)
    /// A (possibly dotted, e.g. `math`) identifier as written; resolution is the checker's job.
    case ident(String)
    /// `operand.field`; `testOnly` for the argument of `has()`.
    case select(operand: Expr, field: String, testOnly: Bool)
    /// A global call (`target == nil`) or a receiver-style call `target.function(args)`.
    /// `math.round(x)` parses as function `round` with target `ident("math")`.
    case call(function: String, target: Expr?, args: [Expr])
    case list([Expr])
    case map([MapEntry])
    case comprehension(Comprehension)
  }

  struct MapEntry: Sendable, Equatable {
    var key: Expr
    var value: Expr
    /// Offset of the `:` of this entry.
    var offset: Int
  }

  /// The expansion of a macro: a fold over `iterRange`, as cel-spec defines it.
  struct Comprehension: Sendable, Equatable {
    var iterVar: String
    /// The second variable of two-variable comprehensions; `nil` for the standard macros.
    var iterVar2: String?
    var iterRange: Expr
    var accuVar: String
    var accuInit: Expr
    var loopCondition: Expr
    var loopStep: Expr
    var result: Expr
  }

  enum Literal: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    /// A floating literal with its source text, so the rule profile can read it as an
    /// exact decimal while the CEL profile uses the IEEE double.
    case double(Double, text: String)
    case string(String)
    case bytes([UInt8])
  }
}

/// The accumulator variable of macro expansions (not a valid identifier, so user
/// expressions cannot name it).
let comprehensionAccumulator = "@result"

/// A problem found in an expression: a stable code, a message, and the Unicode-scalar
/// offset into the expression text. Later layers map the offset to a file position.
struct ExprIssue: Sendable, Equatable, Error {
  enum Severity: Sendable, Equatable { case error, warning }
  var severity: Severity = .error
  /// `K2xx`: K201–K219 syntax, K220–K259 type checking.
  var code: String
  var message: String
  var offset: Int
  var hint: String?
}
