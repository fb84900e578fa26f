// A C target needs a source file; the header says everything.
#include "CBuildInfo.h"
