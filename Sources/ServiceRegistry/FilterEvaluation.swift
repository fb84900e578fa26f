extension LDAPFilter {
    /// Whether a service's properties satisfy the filter (OSGi typed comparison rules).
    public func matches(_ source: some PropertySource) -> Bool {
        switch self {
        case .and(let children):
            for child in children where !child.matches(source) { return false }
            return true
        case .or(let children):
            for child in children where child.matches(source) { return true }
            return false
        case .not(let child):
            return !child.matches(source)
        case .present(let attribute):
            return source.value(forFoldedKey: attribute.folded) != nil
        case .comparison(let attribute, let op, let operand):
            guard let value = source.value(forFoldedKey: attribute.folded) else { return false }
            return Self.compare(value, op, operand)
        case .substring(let attribute, let pieces):
            guard let value = source.value(forFoldedKey: attribute.folded) else { return false }
            return Self.substringMatch(value, pieces)
        }
    }

    static func compare(_ value: PropertyValue, _ op: ComparisonOperator, _ operand: FilterOperand) -> Bool {
        switch value {
        case .list(let items):
            return items.contains { compare($0, op, operand) }
        case .string(let string):
            switch op {
            case .equal: return string.utf8.elementsEqual(operand.utf8)
            case .approx: return JavaText.approxFold(string) == operand.approxFolded
            case .greaterOrEqual: return !string.utf8.lexicographicallyPrecedes(operand.utf8)
            case .lessOrEqual: return !operand.utf8.lexicographicallyPrecedes(string.utf8)
            }
        case .integer(let integer):
            guard let other = operand.integer else { return false }
            switch op {
            case .equal, .approx: return integer == other
            case .greaterOrEqual: return integer >= other
            case .lessOrEqual: return integer <= other
            }
        case .float(let float):
            guard let other = operand.float else { return false }
            let order = JavaText.compare(float, other)
            switch op {
            case .equal, .approx: return order == 0
            case .greaterOrEqual: return order >= 0
            case .lessOrEqual: return order <= 0
            }
        case .boolean(let boolean):
            guard let other = operand.boolean else { return false }
            return boolean == other
        }
    }

    static func substringMatch(_ value: PropertyValue, _ pieces: [SubstringPiece?]) -> Bool {
        switch value {
        case .list(let items): return items.contains { substringMatch($0, pieces) }
        case .string(let string): return substringMatch(Array(string.utf8), pieces)
        default: return false
        }
    }

    /// OSGi's substring algorithm, including its quirk that the last piece is checked with
    /// `endsWith` regardless of where the previous piece ended.
    static func substringMatch(_ string: [UInt8], _ pieces: [SubstringPiece?]) -> Bool {
        var pos = 0
        var i = 0
        let size = pieces.count
        while i < size {
            let piece = pieces[i]
            if i + 1 < size {
                if piece == nil {
                    guard let next = pieces[i + 1] else {
                        i += 1
                        continue
                    }
                    guard let index = indexOf(next.utf8, in: string, from: pos) else { return false }
                    pos = index + next.utf8.count
                    if i + 2 < size { i += 1 }
                } else if let piece {
                    let length = piece.utf8.count
                    guard pos + length <= string.count, string[pos..<(pos + length)].elementsEqual(piece.utf8) else {
                        return false
                    }
                    pos += length
                }
            } else {
                guard let piece else { return true }
                return string.count >= piece.utf8.count && string.suffix(piece.utf8.count).elementsEqual(piece.utf8)
            }
            i += 1
        }
        return true
    }

    private static func indexOf(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        if needle.isEmpty { return start <= haystack.count ? start : nil }
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
