import Foundation
import GRDB
import ServiceRegistry

/// Turns the parts of a filter that an index can answer into SQL that selects a superset
/// of the matching services of one specification, or of all of them. The exact filter is
/// evaluated on every candidate afterwards, so the SQL only has to never miss a match.
struct CandidateQuery {
    /// A SELECT of candidate service ids; with `Scope.every`, it names the `specs` table
    /// that `everySpecificationCTE` defines.
    let sql: String
    let arguments: [IndexValue]
    /// How many index lookups the SQL makes per specification.
    let terms: Int

    /// The specifications whose part of the index a query reads.
    enum Scope {
        case one(String)
        /// Every specification in the store: one index lookup per specification and term.
        case every
    }

    /// Candidate ids for `filter` within `scope`, or nil when the index cannot help.
    ///
    /// SQLite refuses compound SELECTs of more than 500 terms and runs out of parser stack
    /// on subqueries nested about ten deep: past `maximumTerms` or `maximumNesting` the
    /// query is not built (an AND just leaves out the part too deep, which still selects a
    /// superset) and the filter is evaluated on every service of the specification.
    static func make(_ scope: Scope, filter: LDAPFilter) -> CandidateQuery? {
        var arguments: [IndexValue] = []
        guard let sql = select(filter, scope: scope, arguments: &arguments, nesting: 0) else { return nil }
        let terms = sql.components(separatedBy: " FROM property_index ").count - 1
        guard terms <= maximumTerms else { return nil }
        return CandidateQuery(sql: sql, arguments: arguments, terms: terms)
    }

    /// `specs(name)`: the store's distinct specifications, walked through the index one seek
    /// each (SQLite does not skip-scan without statistics), then a NULL.
    static let everySpecificationCTE = """
        WITH RECURSIVE specs(name) AS (
            SELECT (SELECT min(specification) FROM service_specification)
            UNION ALL
            SELECT (SELECT min(specification) FROM service_specification WHERE specification > name)
            FROM specs WHERE name IS NOT NULL)
        """

    /// How many index lookups a query across every specification may make before a scan of
    /// every service is the better plan (a lookup costs about a microsecond).
    static let maximumLookups = 20_000

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

    private static let reserved = Set(ReservedKey.all.map(PropertyKey.fold))

    private static func select(
        _ filter: LDAPFilter, scope: Scope, arguments: inout [IndexValue], nesting: Int
    ) -> String? {
        switch filter {
        case .and(let children):
            if nesting >= maximumNesting { return nil }
            let parts = children.compactMap {
                select($0, scope: scope, arguments: &arguments, nesting: nesting + 1)
            }
            if parts.isEmpty { return nil }
            return compound(parts, "INTERSECT")
        case .or(let children):
            if nesting >= maximumNesting { return nil }
            var parts: [String] = []
            for child in children {
                guard
                    let part = select(child, scope: scope, arguments: &arguments, nesting: nesting + 1)
                else { return nil }
                parts.append(part)
            }
            return compound(parts, "UNION")
        case .not:
            return nil
        case .present(let attribute):
            guard !reserved.contains(attribute.folded) else { return nil }
            return lookup(scope, key: attribute.folded, arguments: &arguments)
        case .substring(let attribute, _):
            guard !reserved.contains(attribute.folded) else { return nil }
            return lookup(scope, key: attribute.folded, arguments: &arguments) + " AND kind = 3"
        case .comparison(let attribute, let op, let operand):
            guard !reserved.contains(attribute.folded) else { return nil }
            return comparison(attribute.folded, op, operand, scope: scope, arguments: &arguments)
        }
    }

    /// The start of one index lookup: `SELECT service_id … WHERE <scope> AND key = ?`.
    private static func lookup(_ scope: Scope, key: String, arguments: inout [IndexValue]) -> String {
        switch scope {
        case .one(let specification):
            arguments += [.text(specification), .text(key)]
            return "SELECT service_id FROM property_index WHERE specification = ? AND key = ?"
        case .every:
            arguments.append(.text(key))
            return "SELECT service_id FROM property_index WHERE specification IN specs AND key = ?"
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
        _ key: String, _ op: ComparisonOperator, _ operand: FilterOperand, scope: Scope,
        arguments: inout [IndexValue]
    ) -> String {
        var branches: [String] = []
        func add(kind: Int, condition: String, _ values: [IndexValue]) {
            branches.append(lookup(scope, key: key, arguments: &arguments) + " AND kind = \(kind)" + condition)
            arguments += values
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
