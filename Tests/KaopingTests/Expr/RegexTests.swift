import Testing

@testable import Kaoping

// MARK: - Table of matches

struct RegexMatchCase: Sendable, CustomTestStringConvertible {
  var pattern: String
  var text: String
  var expected: Bool

  init(_ pattern: String, _ text: String, _ expected: Bool) {
    self.pattern = pattern
    self.text = text
    self.expected = expected
  }

  var testDescription: String {
    "\(pattern.debugDescription) ~ \(text.debugDescription) -> \(expected)"
  }
}

private let matchCases: [RegexMatchCase] = [
  // CEL conformance examples (string.matches)
  .init("ubb", "hubba", true),
  .init("^foo", "foobar", true),
  .init("^.*ow.*$", "cows", true),
  .init("^bar", "foobar", false),
  .init("bar$", "foobar", true),
  .init("foo$", "foobar", false),
  .init("abc", "xxabcxx", true),
  .init("abd", "xxabcxx", false),
  .init("", "", true),
  .init("", "abc", true),
  .init("a", "", false),
  .init("^$", "", true),
  .init("^$", "a", false),

  // Dot and scalars
  .init("^.$", "a", true),
  .init("^.$", "\n", false),
  .init("(?s)^.$", "\n", true),
  .init("(?-s:.)", "\n", false),
  .init("a.c", "abc", true),
  .init("a.c", "a\nc", false),
  .init("^.{3}$", "城关区", true),
  .init("^.{2}$", "城关区", false),
  .init("^.$", "😀", true),
  .init("^.$", "e\u{301}", false),  // two scalars, one grapheme
  .init("^..$", "e\u{301}", true),

  // Unicode classes
  .init(#"\p{Han}+"#, "城关区", true),
  .init(#"^\p{Han}+$"#, "城关区abc", false),
  .init(#"^\p{Han}{3}$"#, "城关区", true),
  .init(#"\p{Han}"#, "abc", false),
  .init(#"^\P{Han}+$"#, "abc", true),
  .init(#"^\p{^Han}+$"#, "abc", true),
  .init(#"^\P{^Han}+$"#, "城关", true),
  .init(#"^[\p{Han}]+区$"#, "城关区", true),
  .init(#"\p{Han}"#, "\u{20000}", true),
  .init(#"\p{Greek}"#, "αβγ", true),
  .init(#"\p{Greek}"#, "abc", false),
  .init(#"^\p{Latin}+$"#, "abcé", true),
  .init(#"\p{Latin}"#, "城", false),
  .init(#"^\p{Cyrillic}+$"#, "привет", true),
  .init(#"^\pL+$"#, "héllo城", true),
  .init(#"^\p{L}+$"#, "abc1", false),
  .init(#"^\p{Lu}"#, "Abc", true),
  .init(#"^\p{Lu}"#, "abc", false),
  .init(#"\PL"#, "abc", false),
  .init(#"^\p{Nd}+$"#, "123\u{663}", true),
  .init(#"^\pN$"#, "½", true),
  .init(#"\p{Any}"#, "x", true),
  .init(#"^\p{Zs}$"#, " ", true),
  .init(#"^\p{P}+$"#, "!?。", true),

  // Escapes
  .init(#"a\.b"#, "a.b", true),
  .init(#"a\.b"#, "axb", false),
  .init(#"\\"#, #"a\b"#, true),
  .init(#"\t"#, "a\tb", true),
  .init(#"\n"#, "a\nb", true),
  .init(#"^\r\f\v\a$"#, "\r\u{0C}\u{0B}\u{07}", true),
  .init(#"\x41"#, "A", true),
  .init(#"\x{4e2d}"#, "中", true),
  .init(#"\x{10FFFF}"#, "\u{10FFFF}", true),
  .init(#"^\101\0$"#, "A\u{0}", true),
  .init(#"^\12$"#, "\n", true),
  .init(#"\Qa.b*\E"#, "a.b*", true),
  .init(#"\Qa.b*\E"#, "axbb", false),
  .init(#"^\Qa.b"#, "a.b", true),
  .init(#"^\Qab\E+$"#, "abbb", true),
  .init(##"\_\-\ \#"##, "_- #", true),

  // Bracketed classes
  .init("[abc]", "xbx", true),
  .init("^[abc]+$", "abcabd", false),
  .init("[^a-z]", "abc", false),
  .init("[^a-z]", "abC", true),
  .init("^[a-z0-9_]+$", "ab_9", true),
  .init("[]a]", "]", true),
  .init("[^]a]", "]a", false),
  .init("^[a-]+$", "a-a", true),
  .init("^[-a]+$", "-", true),
  .init(#"[\]]"#, "]", true),
  .init(#"[\d]"#, "5", true),
  .init(#"^[\w.]+$"#, "a.b", true),
  .init(#"^[\x{4e00}-\x{9fa5}]+$"#, "城关区", true),
  .init("^[一-龥]+$", "城关区", true),
  .init("[城关]+", "关城", true),
  .init("[[:alpha:]]", "1a", true),
  .init("^[[:digit:]]+$", "123", true),
  .init("^[[:^digit:]]+$", "abc", true),
  .init("^[[:space:]]+$", " \t\n\u{0B}", true),
  .init("[[:upper:]]", "abc", false),
  .init("[[:punct:]]", "a!", true),
  .init("^[[:word:][:space:]]+$", "a_1 b", true),
  .init("[^a]", "\n", true),
  .init(#"^[^\n]+$"#, "ab", true),
  .init(#"[^\D]"#, "x7", true),
  .init("[:alpha:]", "p", true),
  .init(#"[^\x00-\x{10FFFF}]"#, "abc", false),  // empty class: matches nothing
  .init(#"a[^\x00-\x{10FFFF}]*b"#, "ab", true),
  .init(#"^[\x00-\x{10FFFF}]$"#, "\n", true),
  .init(#"[\d-z]"#, "-", true),
  .init("^[a-c-e]+$", "ab-e", true),  // a plain class of ':', 'a', 'l', 'p', 'h'

  // Perl classes (ASCII only, as in RE2)
  .init(#"^\d+$"#, "12345", true),
  .init(#"\d"#, "abc", false),
  .init(#"^\d+$"#, "\u{663}", false),
  .init(#"^\D+$"#, "abc", true),
  .init(#"\s"#, "a b", true),
  .init(#"\s"#, "a\u{0B}b", false),
  .init(#"^\S+$"#, "ab", true),
  .init(#"^\w+$"#, "héllo", false),
  .init(#"^\W$"#, "é", true),

  // Anchors
  .init("^a", "ba", false),
  .init("a$", "ab", false),
  .init("(?m)^b", "a\nb", true),
  .init("^b", "a\nb", false),
  .init("(?m)a$", "a\nb", true),
  .init("a$", "a\nb", false),
  .init("a$", "a\n", false),  // $ is \z unless (?m), as in RE2
  .init("(?m)^$", "a\n\nb", true),
  .init(#"\Aab"#, "ab", true),
  .init(#"(?m)\Ab"#, "a\nb", false),
  .init(#"a\z"#, "ba", true),
  .init(#"(?m)a\z"#, "a\nb", false),
  .init("(?sm)^.$", "\n", true),
  .init("x^", "x", false),
  .init("$x", "x", false),

  // Word boundaries (ASCII word characters)
  .init(#"\bfoo\b"#, "a foo b", true),
  .init(#"\bfoo\b"#, "afoob", false),
  .init(#"\Bfoo"#, "afoo", true),
  .init(#"\Bfoo"#, "foo", false),
  .init(#"\b"#, "", false),
  .init(#"\B"#, "", true),
  .init(#"\b"#, "城", false),
  .init(#"\b"#, "a", true),

  // Groups and alternation
  .init("^(ab)+$", "ababab", true),
  .init("^(ab)+$", "ababa", false),
  .init("^(?:ab|cd)+$", "abcdab", true),
  .init(#"^(?P<year>\d{4})-(?<month>\d{2})$"#, "2024-05", true),
  .init(#"^(?P<year>\d{4})-(?<month>\d{2})$"#, "2024-5", false),
  .init("a|b|c", "xcx", true),
  .init("^(a|b|c)$", "d", false),
  .init("^(|a)$", "", true),
  .init("x(a|)y", "xy", true),
  .init("()", "a", true),
  .init("^(?:)$", "", true),
  .init("^((((a))))$", "a", true),
  .init("^(a|ab)(c|bcd)(d*)$", "abcd", true),

  // Quantifiers
  .init("^a*$", "", true),
  .init("^a+$", "", false),
  .init("^a?b$", "b", true),
  .init("^a{3}$", "aaa", true),
  .init("^a{3}$", "aaaa", false),
  .init("^a{2,}$", "a", false),
  .init("^a{2,}$", "aaaaa", true),
  .init("^a{2,3}$", "aaaa", false),
  .init("^a{2,3}$", "aa", true),
  .init("^a{0}b$", "b", true),
  .init("^a{0,1}b$", "ab", true),
  .init("^(ab){2}$", "abab", true),
  .init("^a{,2}$", "a{,2}", true),  // not a repetition: literal text
  .init("a{", "a{", true),
  .init("^x{01}$", "x{01}", true),  // leading zero: literal, as in RE2
  .init("^a*?b+?c??$", "aabbc", true),
  .init("^a??$", "", true),
  .init("^a{2,3}?$", "aaa", true),
  .init("^(a+)+$", "aaaa", true),
  .init("^(a*)*$", "", true),
  .init("^^*a$", "a", true),
  .init("^[ab]{2}c$", "bac", true),
  .init("^((a{10}){10}){10}$", String(repeating: "a", count: 1000), true),
  .init("^a{1000}$", String(repeating: "a", count: 999), false),

  // Flags and case folding
  .init("(?i)hello", "HeLLo", true),
  .init("hello", "HeLLo", false),
  .init("(?i)straße", "STRASSE", false),  // simple folding only
  .init("(?i)straße", "STRAẞE", true),
  .init("(?i)σ", "Σ", true),
  .init("(?i)ς", "σ", true),
  .init("(?i)é", "É", true),
  .init("(?i)k", "\u{212A}", true),  // KELVIN SIGN
  .init("(?i)s", "\u{17F}", true),  // LONG S
  .init("(?i)i", "\u{131}", false),  // dotless i folds only under Turkic rules
  .init("(?i)µ", "Μ", true),  // MICRO SIGN, GREEK CAPITAL MU
  .init("(?i)å", "\u{212B}", true),  // ANGSTROM SIGN
  .init("(?i)ǆ", "ǅ", true),  // titlecase digraph
  .init("(?i)θ", "ϑ", true),
  .init("(?i)[k]", "\u{212A}", true),
  .init("(?i)[^k]", "\u{212A}", false),
  .init("(?i)[a-z]+", "ABC", true),
  .init("(?i)ΑΒΓ", "αβγ", true),
  .init("(?i)привет", "ПРИВЕТ", true),
  .init("(?i:a)b", "Ab", true),
  .init("(?i:a)b", "AB", false),
  .init("a(?i)b", "aB", true),
  .init("a(?i)b", "AB", false),
  .init("(?i)a(?-i)b", "Ab", true),
  .init("(?i)a(?-i)b", "AB", false),
  .init("(a(?i)b)c", "aBc", true),
  .init("(a(?i)b)c", "aBC", false),
  .init("(?i)[^a]", "A", false),
  .init(#"(?i)\p{Lu}"#, "a", true),
  .init(#"(?i)\P{Lu}"#, "a", false),
  .init("(?i)[[:upper:]]", "a", true),
  .init(#"(?i)\x41"#, "a", true),
  .init(#"(?i)\Qab\E"#, "AB", true),
  .init("(?U)a+", "aaa", true),
  .init("(?i)城", "城", true),
  .init("(?im)^ab$", "x\nAB", true),
]

@Test(arguments: matchCases)
func regexMatches(_ c: RegexMatchCase) throws {
  let regex = try RE2Regex(c.pattern)
  #expect(regex.matches(c.text) == c.expected)
}

// MARK: - Syntax errors

struct RegexErrorCase: Sendable, CustomTestStringConvertible {
  var pattern: String
  var message: String
  var offset: Int?

  init(_ pattern: String, _ message: String, _ offset: Int? = nil) {
    self.pattern = pattern
    self.message = message
    self.offset = offset
  }

  var testDescription: String { "\(pattern.debugDescription) -> \(message)" }
}

private let errorCases: [RegexErrorCase] = [
  .init("(abc", "missing closing )", 0),
  .init("a(b(c", "missing closing )", 3),
  .init("(?:a", "missing closing )", 0),
  .init("abc)", "unexpected ): )", 3),
  .init(")", "unexpected ): )", 0),
  .init("[abc", "missing closing ]: [abc", 0),
  .init("x[]", "missing closing ]: []", 1),
  .init("城[a", "missing closing ]: [a", 1),
  .init(#"\8"#, #"invalid escape sequence: \8"#, 0),
  .init(#"\1"#, #"invalid escape sequence: \1"#, 0),
  .init(#"(a)\1"#, #"invalid escape sequence: \1"#, 3),
  .init(#"[\8]"#, #"invalid escape sequence: \8"#, 1),
  .init(#"\C"#, #"invalid escape sequence: \C"#, 0),
  .init(#"\Z"#, #"invalid escape sequence: \Z"#, 0),
  .init(#"\q"#, #"invalid escape sequence: \q"#, 0),
  .init(#"\é"#, #"invalid escape sequence: \é"#, 0),
  .init(#"\x{110000}"#, "invalid escape sequence", 0),
  .init(#"\xZZ"#, "invalid escape sequence", 0),
  .init(#"\x{}"#, "invalid escape sequence", 0),
  .init(#"\x{41"#, "invalid escape sequence", 0),
  .init(#"[a-\d]"#, #"invalid escape sequence: \d"#, 3),
  .init(#"a\"#, "trailing backslash at end of expression", 1),
  .init("a**", "invalid nested repetition operator: **", 1),
  .init("a*+", "invalid nested repetition operator: *+", 1),
  .init("a++", "invalid nested repetition operator: ++", 1),
  .init("a???", "invalid nested repetition operator: ???", 1),
  .init("a*?*", "invalid nested repetition operator: *?*", 1),
  .init("a{2}{3}", "invalid nested repetition operator: {2}{3}", 1),
  .init("a{2}*", "invalid nested repetition operator: {2}*", 1),
  .init("a{1001}", "invalid repeat count: {1001}", 1),
  .init("a{1001,}", "invalid repeat count: {1001,}", 1),
  .init("a{2,1}", "invalid repeat count: {2,1}", 1),
  .init("(a{1000}){1000}", "invalid repeat count: {1000}", 9),
  .init("((a{10}){10}){11}", "invalid repeat count: {11}", 13),
  .init("(a{2}){501}", "invalid repeat count: {501}", 6),
  .init("*a", "missing argument to repetition operator: *", 0),
  .init("a|*", "missing argument to repetition operator: *", 2),
  .init("(*)", "missing argument to repetition operator: *", 1),
  .init("(?i)*", "missing argument to repetition operator: *", 4),
  .init("{2}", "missing argument to repetition operator: {2}", 0),
  .init("+?", "missing argument to repetition operator: +?", 0),
  .init("(?=a)", "invalid or unsupported Perl syntax: (?=", 0),
  .init("(?!a)", "invalid or unsupported Perl syntax: (?!", 0),
  .init("x(?<=a)b", "invalid or unsupported Perl syntax: (?<=", 1),
  .init("(?<!a)b", "invalid or unsupported Perl syntax: (?<!", 0),
  .init("(?P=name)", "invalid or unsupported Perl syntax: (?P", 0),
  .init("(?x)", "invalid or unsupported Perl syntax: (?x", 0),
  .init("(?i-)", "invalid or unsupported Perl syntax: (?i-)", 0),
  .init("(?", "invalid or unsupported Perl syntax: (?", 0),
  .init("(?i", "invalid or unsupported Perl syntax: (?i", 0),
  .init("(?P<>a)", "invalid named capture: (?P<>", 0),
  .init("(?P<a-b>x)", "invalid named capture: (?P<a-b>", 0),
  .init("(?<name", "invalid named capture: (?<name", 0),
  .init("(?P<n>a)(?P<n>b)", "duplicate capture group name: (?P<n>", 8),
  .init("[z-a]", "invalid character class range: z-a", 1),
  .init(#"\p{Foo}"#, #"invalid character class range: \p{Foo}"#, 0),
  .init(#"\p{greek}"#, #"invalid character class range: \p{greek}"#, 0),
  .init(#"\p{Han"#, #"invalid character class range: \p{Han"#, 0),
  .init(#"\pX"#, #"invalid character class range: \pX"#, 0),
  .init(#"a\p"#, #"invalid character class range: \p"#, 1),
  .init(#"[\p{Nope}]"#, #"invalid character class range: \p{Nope}"#, 1),
  .init("[[:foo:]]", "invalid character class range: [:foo:]", 1),
]

@Test(arguments: errorCases)
func regexSyntaxErrors(_ c: RegexErrorCase) {
  let error = #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(c.pattern)
  }
  #expect(error?.message.hasPrefix(c.message) == true, "got \(String(describing: error))")
  if let offset = c.offset {
    #expect(error?.offset == offset)
  }
}

@Test func regexErrorDetails() {
  do {
    _ = try RE2Regex(#"ab\8"#)
    Issue.record("expected an error")
  } catch {
    #expect(error == RegexSyntaxError(message: #"invalid escape sequence: \8"#, offset: 2))
    #expect(error.description.contains(#"invalid escape sequence: \8"#))
  }
}

@Test func regexNestingDepth() throws {
  let ok = String(repeating: "(", count: 1000) + "a" + String(repeating: ")", count: 1000)
  #expect(try RE2Regex(ok).matches("xay"))
  let okStar = String(repeating: "(?:", count: 1000) + "a*" + String(repeating: ")*", count: 1000)
  #expect(try RE2Regex(okStar).matches(""))
  let tooDeep = String(repeating: "(", count: 1001) + "a" + String(repeating: ")", count: 1001)
  #expect(throws: RegexSyntaxError(message: "expression nests too deeply", offset: 1000)) {
    _ = try RE2Regex(tooDeep)
  }
  // Unclosed, far deeper than the limit: still an error, not a crash.
  #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(String(repeating: "(", count: 100_000))
  }
  #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(String(repeating: ")", count: 100_000))
  }
}

@Test func regexProgramSizeLimit() throws {
  // 100 × 1000 instructions fit; 101 × 1000 do not.
  let fits = "^" + String(repeating: "a{1000}", count: 99)
  #expect(try RE2Regex(fits).matches(String(repeating: "a", count: 99_000)))
  let tooLarge = String(repeating: "a{1000}", count: 101)
  let sizeError = #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(tooLarge)
  }
  #expect(sizeError?.message == "pattern too large")
  let countError = #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(#"(\pL{1000}|x){100}"#)
  }
  #expect(countError?.message.hasPrefix("invalid repeat count") == true)
  // Compiles to nothing, but the expansion still costs memory at parse time.
  let expansionError = #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex(String(repeating: "(?:a{1000}){0}", count: 2000))
  }
  #expect(expansionError?.message == "pattern too large")
  // Many distinct large classes.
  let classesError = #expect(throws: RegexSyntaxError.self) {
    _ = try RE2Regex((0..<1600).map { #"[\pL\x{"# + String($0 + 0xE000, radix: 16) + "}]" }.joined())
  }
  #expect(classesError?.message == "pattern too large")
  // The same class many times is stored once.
  #expect(try RE2Regex(String(repeating: #"\pL?"#, count: 5000)).matches(""))
}

// MARK: - Hostile patterns (linear time)

@Test func regexHostilePatterns() throws {
  let a100k = String(repeating: "a", count: 100_000)
  #expect(try RE2Regex("(a*)*b").matches(a100k) == false)
  #expect(try RE2Regex("(a*)*b").matches(a100k + "b") == true)
  #expect(try RE2Regex("^(a|a)*$").matches(a100k) == true)
  #expect(try RE2Regex("(a|aa)*c").matches(String(repeating: "a", count: 50_000)) == false)
  #expect(try RE2Regex("(x+x+)+y").matches(String(repeating: "x", count: 20_000)) == false)
  #expect(try RE2Regex("(x+x+)+y").matches(String(repeating: "x", count: 20_000) + "y") == true)
  #expect(try RE2Regex("(.*a){20}").matches(String(repeating: "b", count: 20_000)) == false)
  #expect(try RE2Regex(#"^(\p{Han}+\s?)+$"#).matches(String(repeating: "城关区", count: 10_000) + "!") == false)
}

// MARK: - Concurrency

@Test func regexSharedAcrossTasks() async throws {
  let regex = try RE2Regex(#"^[a-z]+@[a-z]+\.com$"#)
  let results = await withTaskGroup(of: Bool.self) { group in
    for k in 0..<8 {
      group.addTask { regex.matches(k % 2 == 0 ? "someone@example.com" : "someone@example.org") }
    }
    var out: [Bool] = []
    for await r in group { out.append(r) }
    return out
  }
  #expect(results.filter { $0 }.count == 4)
}

// MARK: - Random patterns against a backtracking reference


/// The reference's syntax tree.
private indirect enum RefNode {
  case char(Character)
  case any
  case begin
  case end
  case concat([RefNode])
  case alternate([RefNode])
  case star(RefNode)
  case plus(RefNode)
  case quest(RefNode)
}

/// Generates a pattern over {a, b} with `* + ? | ( ) .` (and a few `^ $`),
/// together with its tree.
private struct PatternGenerator {
  var rng: SplitMix64

  mutating func alternation(_ depth: Int) -> (String, RefNode) {
    let count = depth < 3 && rng.below(3) == 0 ? 2 + rng.below(2) : 1
    var texts: [String] = []
    var nodes: [RefNode] = []
    for _ in 0..<count {
      let (t, n) = concatenation(depth)
      texts.append(t)
      nodes.append(n)
    }
    return (texts.joined(separator: "|"), count == 1 ? nodes[0] : .alternate(nodes))
  }

  mutating func concatenation(_ depth: Int) -> (String, RefNode) {
    // Mostly non-empty, so that not every pattern matches everything.
    let count = rng.below(8) == 0 ? 0 : 1 + rng.below(depth == 0 ? 4 : 3)
    var text = ""
    var nodes: [RefNode] = []
    for _ in 0..<count {
      let (t, n) = repetition(depth)
      text += t
      nodes.append(n)
    }
    return (text, .concat(nodes))
  }

  mutating func repetition(_ depth: Int) -> (String, RefNode) {
    let (t, n) = atom(depth)
    let lazy = rng.below(5) == 0 ? "?" : ""
    switch rng.below(8) {
    case 0: return (t + "*" + lazy, .star(n))
    case 1: return (t + "+" + lazy, .plus(n))
    case 2: return (t + "?" + lazy, .quest(n))
    default: return (t, n)
    }
  }

  mutating func atom(_ depth: Int) -> (String, RefNode) {
    let choice = rng.below(depth < 4 ? 12 : 8)
    switch choice {
    case 0, 1, 2: return ("a", .char("a"))
    case 3, 4: return ("b", .char("b"))
    case 5: return (".", .any)
    case 6: return rng.below(2) == 0 ? ("^", .begin) : ("$", .end)
    case 7: return ("a", .char("a"))
    case 8, 9:
      let (t, n) = alternation(depth + 1)
      return ("(" + t + ")", n)
    default:
      let (t, n) = alternation(depth + 1)
      return ("(?:" + t + ")", n)
    }
  }
}

/// A plain backtracking matcher: does `node` match text[i...] and let `k` succeed?
private func refMatch(_ node: RefNode, _ text: [Character], _ i: Int, _ k: (Int) -> Bool) -> Bool {
  switch node {
  case .char(let c):
    return i < text.count && text[i] == c && k(i + 1)
  case .any:
    return i < text.count && text[i] != "\n" && k(i + 1)
  case .begin:
    return i == 0 && k(i)
  case .end:
    return i == text.count && k(i)
  case .concat(let items):
    return refConcat(items[...], text, i, k)
  case .alternate(let alternatives):
    return alternatives.contains { refMatch($0, text, i, k) }
  case .star(let x):
    // Iterations that consume nothing add nothing to the language.
    return k(i) || refMatch(x, text, i) { j in j > i && refMatch(.star(x), text, j, k) }
  case .plus(let x):
    return refMatch(x, text, i) { j in refMatch(.star(x), text, j, k) }
  case .quest(let x):
    return k(i) || refMatch(x, text, i, k)
  }
}

private func refConcat(_ items: ArraySlice<RefNode>, _ text: [Character], _ i: Int, _ k: (Int) -> Bool) -> Bool {
  guard let first = items.first else { return k(i) }
  return refMatch(first, text, i) { j in refConcat(items.dropFirst(), text, j, k) }
}

private func refPartialMatch(_ node: RefNode, _ text: String) -> Bool {
  let chars = Array(text)
  return (0...chars.count).contains { start in refMatch(node, chars, start) { _ in true } }
}

@Test func regexRandomPatternsAgreeWithBacktracking() throws {
  var generator = PatternGenerator(rng: SplitMix64(state: 20_240_601))
  var textRng = SplitMix64(state: 7)
  let alphabet: [Character] = ["a", "a", "b", "b", "c", "\n"]
  var checked = 0
  for _ in 0..<2000 {
    let (pattern, tree) = generator.alternation(0)
    let regex = try RE2Regex(pattern)
    var texts = [""]
    for _ in 0..<12 {
      let length = textRng.below(9)
      texts.append(String((0..<length).map { _ in alphabet[textRng.below(alphabet.count)] }))
    }
    for text in texts {
      let expected = refPartialMatch(tree, text)
      let actual = regex.matches(text)
      #expect(actual == expected, "pattern \(pattern.debugDescription) on \(text.debugDescription)")
      checked += 1
    }
  }
  #expect(checked == 2000 * 13)
}

// MARK: - Scalar range sets

@Test func regexScalarRangesAgreeWithSets() {
  var rng = SplitMix64(state: 99)
  func randomRanges() -> ([UInt32], Set<UInt32>) {
    var flat: [UInt32] = []
    var members: Set<UInt32> = []
    for _ in 0..<rng.below(6) {
      let lo = UInt32(rng.below(200))
      let hi = lo + UInt32(rng.below(20))
      flat += [lo, hi]
      members.formUnion(lo...hi)
    }
    return (flat, members)
  }
  for _ in 0..<300 {
    let (flatA, a) = randomRanges()
    let (flatB, b) = randomRanges()
    let setA = ScalarRanges(unsortedPairs: flatA)
    let setB = ScalarRanges(unsortedPairs: flatB)
    let union = setA.union(setB)
    let negated = setA.negated()
    #expect(union == ScalarRanges(unsortedPairs: flatA + flatB))
    for c in UInt32(0)..<240 {
      #expect(setA.contains(c) == a.contains(c))
      #expect(union.contains(c) == (a.contains(c) || b.contains(c)))
      #expect(negated.contains(c) == !a.contains(c))
    }
    #expect(negated.contains(0x10FFFF))
    #expect(negated.negated() == setA)
  }
}
