#include "CBuildInfo.h"

#if __has_include("commit.h")
#include "commit.h"
#endif
#ifndef SERVREG_COMMIT
#define SERVREG_COMMIT ""
#endif

const char *servreg_build_commit(void) { return SERVREG_COMMIT; }
