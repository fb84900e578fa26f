/// The comparison operators of RFC 4515 / OSGi.
public enum ComparisonOperator: String, Sendable {
    case equal = "="
    case approx = "~="
    case greaterOrEqual = ">="
    case lessOrEqual = "<="
}
