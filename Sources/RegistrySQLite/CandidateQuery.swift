import Foundation
import GRDB
import ServiceRegistry

/// Turns the parts of a filter that an index can answer into SQL that selects a superset
/// of the matching services of one specification. The exact filter is evaluated on every
/// candidate afterwards, so the SQL only has to never miss a match.
struct CandidateQuery {
    let sql: String
    let arguments: [IndexValue]

    /// Candidate ids for `filter` within `specification`, or nil when the index cannot help.
    ///
    /// SQLite refuses compound SELECTs of more than 500 terms and runs out of parser stack
    /// on subqueries nested about ten deep: past `maximumTerms` or `maximumNesting` the
    /// query is not built (an AND just leaves out the part too deep, which still selects a
    /// superset) and the filter is evaluated on every service of the specification.
    static func make(specification: String, filter: LDAPFilter) -> CandidateQuery? {
        var arguments: [IndexValue] = []
        guard let sql = select(filter, specification: specification, arguments: &arguments, nesting: 0),
            sql.components(separatedBy: " FROM property_index ").count - 1 <= maximumTerms
        else { return nil }
        return CandidateQuery(sql: sql, arguments: arguments)
    }

    /// The most SELECT terms a candidate query may have (SQLite's limit is 500 per compound).
    static let maximumTerms = 400
    /// The deepest AND/OR nesting turned into subqueries.
    static let maximumNesting = 4

    /// An equality term that every match must satisfy and whose operand the index holds in
    /// one form only (text that is not also a number or a boolean): its folded key and
    /// text, the parameters of `orderedWalkSQL`; nil when the filter has none.
    static func orderedDriver(_ filter: LDAPFilter) -> (key: String, text: String)? {
        switch filter {
        case .and(let children):
            for child in children {
                if let driver = orderedDriver(child) { return driver }
            }
            return nil
        case .comparison(let attribute, .equal, let operand):
            guard !reserved.contains(attribute.folded), operand.floatValue == nil, operand.integerValue == nil,
                operand.booleanValue == nil
            else { return nil }
            return (attribute.folded, operand.text)
        default:
            return nil
        }
    }

    private static let reserved: Set<String> = ["service.id", "objectclass", "service.ranking", "service.scope"]

    private static func select(
        _ filter: LDAPFilter, specification: String, arguments: inout [IndexValue], nesting: Int
    ) -> String? {
        switch filter {
        case .and(let children):
            if nesting >= maximumNesting { return nil }
            let parts = children.compactMap {
                select($0, specification: specification, arguments: &arguments, nesting: nesting + 1)
            }
            if parts.isEmpty { return nil }
            return compound(parts, "INTERSECT")
        case .or(let children):
            if nesting >= maximumNesting { return nil }
            var parts: [String] = []
            for child in children {
                guard
                    let part = select(child, specification: specification, arguments: &arguments, nesting: nesting + 1)
                else { return nil }
                parts.append(part)
            }
            return compound(parts, "UNION")
        case .not:
            return nil
        case .present(let attribute):
            guard !reserved.contains(attribute.folded) else { return nil }
            arguments += [.text(specification), .text(attribute.folded)]
            return "SELECT service_id FROM property_index WHERE specification = ? AND key = ?"
        case .substring(let attribute, _):
            guard !reserved.contains(attribute.folded) else { return nil }
            arguments += [.text(specification), .text(attribute.folded)]
            return "SELECT service_id FROM property_index WHERE specification = ? AND key = ? AND kind = 3"
        case .comparison(let attribute, let op, let operand):
            guard !reserved.contains(attribute.folded) else { return nil }
            return comparison(attribute.folded, op, operand, specification: specification, arguments: &arguments)
        }
    }

    private static func compound(_ parts: [String], _ keyword: String) -> String {
        if parts.count == 1 { return parts[0] }
        // Compound operators bind left to right, so nested compounds need a subquery.
        let operands = parts.map {
            $0.contains(" INTERSECT ") || $0.contains(" UNION ") ? "SELECT service_id FROM (\($0))" : $0
        }
        return operands.joined(separator: " \(keyword) ")
    }

    private static func comparison(
        _ key: String, _ op: ComparisonOperator, _ operand: FilterOperand, specification: String,
        arguments: inout [IndexValue]
    ) -> String {
        let base = "SELECT service_id FROM property_index WHERE specification = ? AND key = ? AND kind = "
        var branches: [String] = []
        func add(kind: Int, condition: String, _ values: [IndexValue]) {
            branches.append(base + "\(kind)" + condition)
            arguments += [.text(specification), .text(key)] + values
        }
        let sqlOperator: String
        switch op {
        case .equal, .approx: sqlOperator = "="
        case .greaterOrEqual: sqlOperator = ">="
        case .lessOrEqual: sqlOperator = "<="
        }
        // Integers and floats share kind 1 and compare numerically in SQLite.
        if let float = operand.floatValue {
            if float.isNaN {
                // Stored numbers are finite; NaN is above all of them (Java's Double.compare).
                if op == .lessOrEqual { add(kind: 1, condition: "", []) }
            } else if let integer = operand.integerValue, Int64(exactly: float) != integer {
                // The text names an integer a double cannot hold: compare both ways.
                add(kind: 1, condition: " AND value \(sqlOperator) ?", [.integer(integer)])
                add(kind: 1, condition: " AND value \(sqlOperator) ?", [.float(float)])
            } else if let integer = operand.integerValue {
                add(kind: 1, condition: " AND value \(sqlOperator) ?", [.integer(integer)])
            } else {
                add(kind: 1, condition: " AND value \(sqlOperator) ?", [.float(float)])
            }
        }
        if op == .approx {
            add(kind: 3, condition: "", [])
        } else {
            add(kind: 3, condition: " AND value \(sqlOperator) ?", [.text(operand.text)])
        }
        if let boolean = operand.booleanValue {
            add(kind: 4, condition: " AND value = ?", [.integer(boolean ? 1 : 0)])
        }
        return branches.count == 1 ? branches[0] : compound(branches, "UNION ALL")
    }
}
