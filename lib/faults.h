/*
 * faults.h - fault injection for the tests, in the test build only.
 *
 * `make` builds tsi, which has none of this: not the code, not the names.
 * `make test` also builds BUILD/tsi-faults from the same sources, where the
 * files that hold a FAULT point are compiled again with -DTSI_FAULTS; the
 * tests that need a fault (a kill at a known point, a slow disk or server)
 * run that binary and set the variable the point names:
 *
 *   FAULT_SLEEP(TSI_FAULT_SMP_SLOW_MS)	sleeps that many ms when it is set
 *   FAULT_KILL_AT(TSI_FAULT_KILL_RESTORE_AFTER, n)	SIGKILL when n equals it
 *   FAULT_VALUE(TSI_FAULT_SMP_TRACE)	its value, or NULL
 *
 * Everything else of tsi-faults is the code the product runs.
 */
#ifndef TSI_FAULTS_H
#define TSI_FAULTS_H

#include <stdint.h>

#ifdef TSI_FAULTS
const char	*fault_value(const char *name);
void		 fault_sleep(const char *name);
void		 fault_kill_at(const char *name, uint64_t n);
#define FAULT_VALUE(name)	fault_value(#name)
#define FAULT_SLEEP(name)	fault_sleep(#name)
#define FAULT_KILL_AT(name, n)	fault_kill_at(#name, (n))
#else
#define FAULT_VALUE(name)	((const char *)0)
#define FAULT_SLEEP(name)	((void)0)
#define FAULT_KILL_AT(name, n)	((void)(n))
#endif

#endif
