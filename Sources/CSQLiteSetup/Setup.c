#include <sqlite3.h>
#include "CSQLiteSetup.h"

void servreg_sqlite_setup(int statementJournalSpill) {
    // No allocation statistics: without them an SQLite allocation takes no global mutex.
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (statementJournalSpill != 0) sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, statementJournalSpill);
}
