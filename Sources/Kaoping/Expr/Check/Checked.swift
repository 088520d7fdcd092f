// The checker's output: the expression with every name resolved (variables to
// slots, fields to positions, functions to built-ins) and, in the rule profile,
// promotions inserted where int and decimal unify. The compiler turns it into
// an evaluable tree.

/// A built-in function or operator, as resolved by the checker.
enum Function: String, Sendable, CaseIterable {
  case add = "_+_"
  case subtract = "_-_"
  case multiply = "_*_"
  case divide = "_/_"
  case remainder = "_%_"
  case negate = "-_"
  case not = "!_"
  case equals = "_==_"
  case notEquals = "_!=_"
  case less = "_<_"
  case lessOrEqual = "_<=_"
  case greater = "_>_"
  case greaterOrEqual = "_>=_"
  case index = "_[_]"
  case `in` = "@in"
  case size
  case contains
  case startsWith
  case endsWith
  case matches
  case int
  case uint
  case double
  case string
  case bytes
  case bool
  case type
  case dyn
  case date
  case days
  case workdays
  case sum
  case avg
  case max
  case min
  case round = "math.round"
  case floor = "math.floor"
  case ceil = "math.ceil"
  case abs = "math.abs"
  /// Rule profile: an int (or a number) as an exact decimal; inserted by the
  /// checker where int and decimal unify.
  case promote = "@promote"
}

/// A checked expression node.
indirect enum Checked: Sendable {
  case constant(Value)
  /// A declared variable, by activation slot.
  case global(slot: Int, name: String)
  /// A comprehension variable, by local slot.
  case local(slot: Int, name: String)
  /// A field of a value statically known to be an object, by position.
  case field(Checked, slot: Int, name: String, type: ObjectType)
  /// `has(x.f)` on an object field: `x.f != null`.
  case hasField(Checked, slot: Int, name: String, type: ObjectType)
  /// `x.f` or `has(x.f)` resolved at run time (maps, `dyn`).
  case select(Checked, field: String, testOnly: Bool)
  case call(Function, [Checked], offset: Int)
  case and(Checked, Checked)
  case or(Checked, Checked)
  case conditional(Checked, Checked, Checked)
  case notStrictlyFalse(Checked)
  case list([Checked])
  case map([(key: Checked, value: Checked)])
  case comprehension(CheckedComprehension)
  /// An expression that fails when evaluated (only when checking is lenient:
  /// an unknown name or function).
  case failure(String)
}

struct CheckedComprehension: Sendable {
  var iterSlot: Int
  var iterSlot2: Int?
  var accuSlot: Int
  var range: Checked
  var initial: Checked
  var condition: Checked
  var step: Checked
  var result: Checked
}
