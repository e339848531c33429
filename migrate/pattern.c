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

int
glob_match(const char *p, const char *s)
{
	size_t	n;

	for (;;) {
		if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0')) {
			p += p[2] == '/' ? 3 : 2;
			if (*p == '\0')
				return 1;
			for (;;) {	/* zero or more whole components */
				if (glob_match(p, s))
					return 1;
				if ((s = strchr(s, '/')) == NULL)
					return 0;
				s++;
			}
		}
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			p++;
			for (;;) {
				if (glob_match(p, s))
					return 1;
				if (*s == '\0' || *s == '/')
					return 0;
				s++;
			}
		case '?':
			if (*s == '\0' || *s == '/')
				return 0;
			p++;
			s++;
			continue;
		case '[':
			if ((n = class_len(p)) > 0) {
				if (*s == '\0' || *s == '/' || !class_match(p, n, *s))
					return 0;
				p += n;
				s++;
				continue;
			}
			break;
		case '\\':
			if (p[1] != '\0')
				p++;
			break;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
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
