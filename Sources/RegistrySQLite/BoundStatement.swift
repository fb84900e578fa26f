import GRDB
import GRDBSQLite

/// A cached statement bound and stepped through SQLite's C API.
///
/// GRDB's `execute(arguments:)` boxes every argument as an existential and converts it to a
/// `DatabaseValue` before binding: about 15,000 instructions per statement, more than the
/// insert itself. The write path runs several statements per registration, so it binds
/// directly. GRDB still prepares and caches the statement and sees every error.
struct BoundStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let db: Database
    private var index: Int32 = 0

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        let cached = try db.cachedStatement(sql: sql)
        // A walk inside a walk of the same shape (a read checking the providers of what it
        // returns) must not reset the outer one: it gets a statement of its own.
        statement = sqlite3_stmt_busy(cached.sqliteStatement) != 0 ? try db.makeStatement(sql: sql) : cached
        handle = statement.sqliteStatement
    }

    /// Binds the next parameter.
    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    mutating func bind(_ value: String) {
        index += 1
        var text = value
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    mutating func bind(_ value: String?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(handle, index)
            return
        }
        bind(value)
    }

    /// Binds bytes as a blob (nil: NULL).
    mutating func bind(blob value: [UInt8]?) {
        index += 1
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    /// Binds one index value (what `RecordCoding.forEachIndexEntry` yields).
    mutating func bind(_ value: IndexValue) {
        switch value {
        case .integer(let integer): bind(integer)
        case .float(let float): bind(float)
        case .text(let text): bind(text)
        }
    }

    /// Steps to the next row: true while there is one. At the end, or on an error, the
    /// statement is reset for the next bindings.
    mutating func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        index = 0
        if code == SQLITE_DONE {
            sqlite3_reset(handle)
            return false
        }
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        sqlite3_reset(handle)
        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    /// Leaves a query (before its last row, or after: resetting twice is harmless).
    mutating func finish() {
        index = 0
        sqlite3_reset(handle)
    }

    /// A column of the current row as an integer.
    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// A column of the current row as a floating-point number.
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// Whether a column of the current row is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// A column of the current row as text.
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// A column of the current row as its UTF-8 bytes.
    func bytes(_ column: Int32) -> [UInt8] {
        guard let bytes = sqlite3_column_text(handle, column) else { return [] }
        return Array(UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// A blob column of the current row (nil for NULL).
    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Runs the statement to completion and makes it ready for the next bindings.
    mutating func run() throws {
        let code = sqlite3_step(handle)
        index = 0
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
        sqlite3_reset(handle)
    }

    /// SQLite copies bound text before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A value as the property index stores it.
enum IndexValue {
    case integer(Int64)
    case float(Double)
    case text(String)
}
