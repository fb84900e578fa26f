#ifndef CSQLITESETUP_H
#define CSQLITESETUP_H

/// Sets SQLite's process-wide options; must run before the first connection opens (later
/// calls change nothing). sqlite3_config is variadic, which Swift cannot call.
void servreg_sqlite_setup(int statementJournalSpill);

#endif
