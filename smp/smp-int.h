/* smp-int.h - shared inside smp/ only */
#ifndef TSI_SMP_INT_H
#define TSI_SMP_INT_H

#include <sqlite3.h>

/* DIR/smp.db with its tables; refuses an existing one. */
int	smp_db_create(const char *dir, char **err);
/* Opens DIR/smp.db (it must exist); -1 with *err. */
int	smp_db_open(const char *dir, sqlite3 **, char **err);

#endif
