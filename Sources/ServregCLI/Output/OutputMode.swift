/// How a command prints its results.
enum OutputMode {
    case human
    case json
    case ids
}
