#include <sqlite3.h>
#include "CSQLiteSetup.h"

static int setupStatus = -1;

// Before main: sqlite3_config works only before SQLite is initialised (by the first
// connection, of this process's code or a library's), and is not thread-safe.
__attribute__((constructor)) static void servreg_sqlite_configure(void) {
    // No allocation statistics: without them an SQLite allocation takes no global mutex.
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // A savepoint's journal (the pages a batch line changes, as they were) stays in memory
    // up to 1 MiB, in one block; SQLite's 64 KiB sent every later savepoint to a file.
    int journal = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 1 << 20);
    setupStatus = statistics != SQLITE_OK ? statistics : journal;
}

int servreg_sqlite_setup_status(void) { return setupStatus; }
