/*
 * datadir.c - where tsi's data is: relative to the binary first, then the
 * PREFIX it was built for.  See datadir.h.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "util.h"

#ifndef TSI_DATADIR
#define TSI_DATADIR "/usr/local/share/tsi"	/* the Makefile sets PREFIX's */
#endif

/* The folder holding the running binary, or NULL. */
static char *
binary_dir(void)
{
	char	 path[PATH_MAX];
	ssize_t	 n;
	char	*slash;

	n = readlink("/proc/self/exe", path, sizeof path - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(path[0] != '\0' ? path : "/");
}

/* PATH without its "DIR/.." steps, so messages show where tsi really
 * looked; the rest is left as it is (no symlink is resolved). */
static char *
tidy(char *path)
{
	char	*p;

	while ((p = strstr(path, "/../")) != NULL && p != path) {
		char *start = p - 1;

		while (start > path && *start != '/')
			start--;
		memmove(start, p + 3, strlen(p + 3) + 1);
	}
	return path;
}

static size_t
add(char *out[], size_t n, char *path)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(out[i], path) == 0) {
			free(path);
			return n;
		}
	out[n] = path;
	return n + 1;
}

size_t
data_dir_candidates(const char *sub, int checkout, char *out[DATA_DIR_MAX_CANDIDATES])
{
	char	*bin = binary_dir();
	size_t	 n = 0;

	if (bin != NULL) {
		n = add(out, n, tidy(xasprintf("%s/../share/tsi/%s", bin, sub)));
		if (checkout) {
			n = add(out, n, xasprintf("%s/%s", bin, sub));
			n = add(out, n, tidy(xasprintf("%s/../%s", bin, sub)));
		}
		free(bin);
	}
	return add(out, n, xasprintf("%s/%s", TSI_DATADIR, sub));
}

char *
data_dir_find(const char *sub, int checkout, char **tried)
{
	char		*cand[DATA_DIR_MAX_CANDIDATES], *found = NULL;
	size_t		 n, i;
	struct stat	 st;

	n = data_dir_candidates(sub, checkout, cand);
	if (tried != NULL)
		*tried = xstrdup("");
	for (i = 0; i < n; i++) {
		if (tried != NULL) {
			char *joined = xasprintf("%s%s%s", *tried, i ? ", " : "", cand[i]);

			free(*tried);
			*tried = joined;
		}
		if (found == NULL && stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode))
			found = xstrdup(cand[i]);
	}
	for (i = 0; i < n; i++)
		free(cand[i]);
	return found;
}
