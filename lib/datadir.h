/*
 * datadir.h - where tsi's data (rule packs, Lua steps) is: found from the
 * binary's own place, so that a tsi installed under any PREFIX, a Debian
 * package and a checkout all find theirs, never only at a fixed path.
 */
#ifndef TSI_DATADIR_H
#define TSI_DATADIR_H

#include <stddef.h>

/* How many places data_dir_candidates may give. */
#define DATA_DIR_MAX_CANDIDATES	4

/*
 * The places SUB ("rules", "steps") may be, in the order they are tried:
 * BINDIR/../share/tsi/SUB (an installed tsi), then, if checkout is set,
 * BINDIR/SUB and BINDIR/../SUB (./tsi and build/tsi-faults in a checkout),
 * then the data folder of the build's PREFIX (TSI_DATADIR).  Each is a
 * string the caller frees; returns how many.
 */
size_t data_dir_candidates(const char *sub, int checkout,
    char *out[DATA_DIR_MAX_CANDIDATES]);

/* The first of the candidates that is a folder (the caller frees it), or
 * NULL; *tried (if not NULL) receives every place looked at, joined with
 * ", ", for a message (the caller frees it). */
char *data_dir_find(const char *sub, int checkout, char **tried);

#endif
