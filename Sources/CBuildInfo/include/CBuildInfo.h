// The commit servreg was built from: `make build` writes it to Sources/CBuildInfo/commit.h
// (not committed); a plain `swift build` has none.
#ifndef SERVREG_BUILD_INFO_H
#define SERVREG_BUILD_INFO_H

#if __has_include("../commit.h")
#include "../commit.h"
#endif
#ifndef SERVREG_COMMIT
#define SERVREG_COMMIT ""
#endif

static inline const char *servreg_build_commit(void) { return SERVREG_COMMIT; }

#endif
