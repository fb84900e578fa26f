#ifndef CSQLITESETUP_H
#define CSQLITESETUP_H

/// SQLite's process-wide options are set by a constructor, before main (sqlite3_config is
/// variadic, which Swift cannot call, and must come before the first connection). This is
/// what it returned: SQLITE_OK (0) when every option took.
int servreg_sqlite_setup_status(void);

#endif
