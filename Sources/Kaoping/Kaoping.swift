/// Kaoping: a rules engine for quantitative performance assessment.
public enum KaopingInfo {
  /// The version of the library and the runner.
  public static let version = "0.1.0"
}
