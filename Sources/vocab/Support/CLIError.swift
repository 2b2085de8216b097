/// Errors the command line reports (one line on stderr, non-zero exit).
enum CLIError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case invalidInput(path: String, line: Int, reason: String)

    var description: String {
        switch self {
        case .cannotRead(let path, let reason): return "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .invalidInput(let path, let line, let reason): return "\(path), line \(line): \(reason)"
        }
    }
}
