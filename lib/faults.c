/* faults.c - see faults.h; empty outside the test build */
#include "faults.h"

#ifdef TSI_FAULTS
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

const char *
fault_value(const char *name)
{
	return getenv(name);
}

void
fault_sleep(const char *name)
{
	const char	*ms = getenv(name);

	if (ms != NULL)
		usleep((useconds_t)strtoul(ms, NULL, 10) * 1000);
}

void
fault_kill_at(const char *name, uint64_t n)
{
	const char	*at = getenv(name);

	if (at != NULL && strtoull(at, NULL, 10) == n)
		raise(SIGKILL);
}
#else
typedef int faults_off;		/* ISO C wants something in a file */
#endif
