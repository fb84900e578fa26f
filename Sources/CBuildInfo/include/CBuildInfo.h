// The commit servreg was built from: `make build` writes it to Sources/CBuildInfo/commit.h
// (not committed); a plain `swift build` has none. Defined in BuildInfo.c, so that the C
// compiler's dependency tracking rebuilds it when commit.h changes (a Swift import of a
// macro would not notice).
#ifndef SERVREG_BUILD_INFO_H
#define SERVREG_BUILD_INFO_H

const char *servreg_build_commit(void);

#endif
