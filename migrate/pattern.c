/*
 * pattern.c - path globs for migration rules.
 *
 *   *      any characters within one path component
 *   ?      one character, not '/'
 *   [...]  a character class ([a-z], [!0-9]); not '/'
 *   **     as a whole component: any number of components, none included
 *          (x then ** is all below x; a, **, b is a/b, a/x/b, a/x/y/b ...)
 *   \c     the character c itself
 */
#include "migrate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GLOB_MAX_LEN		1024
#define GLOB_MAX_WILDCARDS	32	/* bounds the backtracking */

/* Length of the class at p ("[...]"), or 0 when it is not one. */
static size_t
class_len(const char *p)
{
	size_t	i = 1;

	if (p[i] == '!' || p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	for (; p[i] != '\0' && p[i] != '/'; i++)
		if (p[i] == ']')
			return i + 1;
	return 0;
}

static int
class_match(const char *p, size_t len, char c)
{
	size_t	i = 1;
	int	neg = 0, hit = 0;

	if (p[i] == '!' || p[i] == '^') {
		neg = 1;
		i++;
	}
	for (; i < len - 1; i++) {
		if (p[i + 1] == '-' && i + 2 < len - 1) {
			if (c >= p[i] && c <= p[i + 2])
				hit = 1;
			i += 2;
		} else if (p[i] == c)
			hit = 1;
	}
	return hit != neg;
}

/*
 * One component (no '/') against one pattern component, in O(len(p) x
 * len(s)) at worst: on a mismatch only the last '*' is backtracked, which
 * is enough because a later '*' can absorb whatever an earlier one would.
 */
static int
component_match(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t	pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0, n;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < plen && p[pi] == '[' && (n = class_len(p + pi)) > 0 &&
		    pi + n <= plen) {
			if (class_match(p + pi, n, s[si])) {
				pi += n;
				si++;
				continue;
			}
		} else if (pi < plen && (p[pi] == '?' || (p[pi] == '\\' && pi + 1 < plen ?
		    p[pi + 1] == s[si] : p[pi] == s[si]))) {
			pi += p[pi] == '\\' && pi + 1 < plen ? 2 : 1;
			si++;
			continue;
		}
		if (star_p == SIZE_MAX)
			return 0;
		pi = star_p;		/* the last '*' takes one more character */
		si = ++star_s;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

struct comp {
	const char	*s;
	size_t		 len;
};

static size_t
split(const char *s, struct comp *v, size_t max)
{
	size_t	n = 0;
	const char *slash;

	for (;;) {
		if (n == max)
			return SIZE_MAX;
		slash = strchr(s, '/');
		v[n].s = s;
		v[n].len = slash ? (size_t)(slash - s) : strlen(s);
		n++;
		if (slash == NULL)
			return n;
		s = slash + 1;
	}
}

static int
is_globstar(const struct comp *c)
{
	return c->len == 2 && c->s[0] == '*' && c->s[1] == '*';
}

/*
 * Components against components, bottom-up over (pattern, path) positions,
 * so that '**' costs O(components^2), not a search: "**" in the middle or
 * first is any number of components, none included; last, at least one.
 */
/* The common case, no '**': component by component, stopping early. */
static int
match_plain(const char *p, const char *s)
{
	const char	*pe, *se;

	for (;;) {
		pe = strchr(p, '/');
		se = strchr(s, '/');
		if ((pe == NULL) != (se == NULL))
			return 0;
		if (!component_match(p, pe ? (size_t)(pe - p) : strlen(p), s,
		    se ? (size_t)(se - s) : strlen(s)))
			return 0;
		if (pe == NULL)
			return 1;
		p = pe + 1;
		s = se + 1;
	}
}

int
glob_match(const char *pattern, const char *path)
{
	struct comp	 pc[GLOB_MAX_LEN / 2 + 2], sc_local[128], *sc = sc_local;
	uint8_t		 m_local[4096], *m = m_local;
	size_t		 np, ns, i, j, w, maxs;
	int		 r;

	/* most patterns start with a literal folder: most paths fail there */
	for (i = 0; pattern[i] != '\0' && strchr("*?[\\", pattern[i]) == NULL; i++)
		if (pattern[i] != path[i])
			return 0;
	if (strstr(pattern, "**") == NULL)
		return match_plain(pattern, path);
	if ((np = split(pattern, pc, sizeof pc / sizeof pc[0])) == SIZE_MAX)
		return 0;
	/* one component more than slashes (empty ones between two count) */
	for (maxs = 1, i = 0; path[i] != '\0'; i++)
		maxs += path[i] == '/';
	if (maxs > sizeof sc_local / sizeof sc_local[0])
		sc = xreallocarray(NULL, maxs, sizeof *sc);
	ns = split(path, sc, maxs);
	w = ns + 1;
	if ((np + 1) * w > sizeof m_local)
		m = xmalloc((np + 1) * w);
	memset(m, 0, (np + 1) * w);	/* m[i * w + j]: pc[i..] matches sc[j..] */
	m[np * w + ns] = 1;
	for (i = np; i-- > 0;)
		for (j = ns + 1; j-- > 0;) {
			if (is_globstar(&pc[i]))
				r = i + 1 == np ? j < ns :
				    m[(i + 1) * w + j] || (j < ns && m[i * w + j + 1]);
			else
				r = j < ns && m[(i + 1) * w + j + 1] &&
				    component_match(pc[i].s, pc[i].len, sc[j].s, sc[j].len);
			m[i * w + j] = (uint8_t)r;
		}
	r = m[0];
	if (m != m_local)
		free(m);
	if (sc != sc_local)
		free(sc);
	return r;
}

const char *
glob_problem(const char *p)
{
	size_t	wild = 0, i, len = strlen(p);

	if (len == 0)
		return "a pattern cannot be empty";
	if (len > GLOB_MAX_LEN)
		return "a pattern has at most 1024 characters";
	if (p[0] == '/')
		return "patterns are relative to the home folder: start them with '~/'";
	/* paths never end with a slash: such a pattern would match nothing */
	if (p[len - 1] == '/')
		return "a pattern cannot end with '/' (use '~/x/**' for a folder's contents)";
	if (strstr(p, "/../") != NULL || strncmp(p, "../", 3) == 0 ||
	    strcmp(p, "..") == 0 || (len >= 3 && strcmp(p + len - 3, "/..") == 0))
		return "a pattern cannot leave the home folder ('..')";
	for (i = 0; i < len; i++) {
		if (p[i] == '\\') {
			if (p[i + 1] == '\0')
				return "a pattern cannot end with '\\'";
			i++;
			continue;
		}
		if (p[i] == '*' || p[i] == '?')
			wild++;
		if (p[i] == '[' && class_len(p + i) == 0)
			return "'[' starts a class that has no ']'";
		if (p[i] == '*' && p[i + 1] == '*' && p[i + 2] == '*')
			return "'***' means nothing; use '**' for any folders";
		if (p[i] == '*' && p[i + 1] == '*' &&
		    ((i > 0 && p[i - 1] != '/') || (p[i + 2] != '/' && p[i + 2] != '\0')))
			return "'**' stands alone between slashes ('a/**/b')";
	}
	if (wild > GLOB_MAX_WILDCARDS)
		return "a pattern has at most 32 wildcards";
	return NULL;
}
