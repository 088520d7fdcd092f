import Testing

@testable import Kaoping

@Suite struct VariableUseTests {
  @Test(arguments: [
    ("facts.task.size() > 0", Set(["task"])),
    ("facts.task_issue.size() + facts.delay.filter(d, d.days > 3).size()", Set(["task_issue", "delay"])),
    ("'facts.task' == subject.name", Set<String>()),
    ("[1, 2].exists(facts, facts > 1)", Set<String>()),
    ("facts.a.map(x, x.days).exists(y, y > facts.b.size())", Set(["a", "b"])),
  ])
  func selectedFields(source: String, expected: Set<String>) {
    #expect(VariableUse.selectedFields(of: "facts", in: source) == expected)
  }

  @Test(arguments: ["size(facts) > 0", "facts == null", "facts['task'].size() > 0", "has(facts.task) && facts != null"])
  func otherUsesReadEverything(source: String) {
    #expect(VariableUse.selectedFields(of: "facts", in: source) == nil)
  }
}
