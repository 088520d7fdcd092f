import Testing
@testable import Kaoping

@Test func versionIsSemantic() {
  #expect(KaopingInfo.version.split(separator: ".").count == 3)
}
