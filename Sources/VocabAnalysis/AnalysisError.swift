/// Errors of the analysis module.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
    case invalidOption(String)
    case invalidCorpus(String)

    public var description: String {
        switch self {
        case .invalidOption(let message), .invalidCorpus(let message): return message
        }
    }
}
