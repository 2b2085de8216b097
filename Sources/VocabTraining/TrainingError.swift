/// Errors of the trainers and recipes; each message says what to change.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case vocabularyTooSmall(requested: Int, minimum: Int, reason: String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .vocabularyTooSmall(let requested, let minimum, let reason):
            return "vocabulary size \(requested) is smaller than \(minimum), the \(reason); ask for at least \(minimum)"
        case .invalidOption(let message): return message
        }
    }
}
