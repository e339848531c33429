/*
 * usmt.c - USMT's ScanState and LoadState switches, as admins write them
 * in OSDMigrateAdditionalCaptureOptions and ...RestoreOptions, and which
 * users they select (sccm-spec.md 4.1 to 4.3).
 *
 *   capture: /ui /ue /uel /all /c /v /o /nocompress /hardlink /listfiles /p
 *   restore: /ui /ue /all /mu /lac /lae /c /v
 *
 * Unknown, misplaced, repeated and conflicting switches are errors, as
 * USMT's exit code 11 is, but with the reason in words.
 */
#include "migrate.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define SWITCHES_MAX	256

struct sw {
	const char	*name;
	int		 capture, restore;
	int		 repeatable;
	int		 arg;		/* 0 none, 1 required, 2 optional */
};

static const struct sw switches[] = {
	{ "ui", 1, 1, 1, 1 },
	{ "ue", 1, 1, 1, 1 },
	{ "uel", 1, 0, 0, 1 },
	{ "all", 1, 1, 0, 0 },
	{ "c", 1, 1, 0, 0 },
	{ "v", 1, 1, 0, 1 },
	{ "o", 1, 0, 0, 0 },
	{ "nocompress", 1, 0, 0, 0 },
	{ "hardlink", 1, 0, 0, 0 },
	{ "listfiles", 1, 0, 0, 1 },
	{ "p", 1, 0, 0, 2 },
	{ "mu", 0, 1, 1, 1 },
	{ "lac", 0, 1, 0, 2 },
	{ "lae", 0, 1, 0, 0 },
};

void
usmt_release(struct usmt_opts *o)
{
	size_t	i;

	for (i = 0; i < o->nui; i++)
		free(o->ui[i]);
	for (i = 0; i < o->nue; i++)
		free(o->ue[i]);
	for (i = 0; i < o->nmu; i++) {
		free(o->mu[i].from);
		free(o->mu[i].to);
	}
	free(o->ui);
	free(o->ue);
	free(o->mu);
	free(o->listfiles);
	free(o->p_file);
	if (o->lac_password != NULL) {
		explicit_bzero(o->lac_password, strlen(o->lac_password));
		free(o->lac_password);
	}
	memset(o, 0, sizeof *o);
}

static int
fail(char **err, char *msg)
{
	*err = msg;
	return -1;
}

/* Splits text into words; "double quotes" keep spaces.  NULL-terminated. */
static char **
words(const char *text, size_t *n)
{
	char	**v = NULL;
	size_t	  k = 0;

	while (*text != '\0' && k < SWITCHES_MAX) {
		struct buf b = BUF_INIT;
		int quoted = 0;

		while (isspace((unsigned char)*text))
			text++;
		if (*text == '\0')
			break;
		for (; *text != '\0' && (quoted || !isspace((unsigned char)*text)); text++) {
			if (*text == '"')
				quoted = !quoted;
			else
				buf_addch(&b, *text);
		}
		v = xreallocarray(v, k + 2, sizeof *v);
		v[k++] = buf_detach(&b);
	}
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	v[k] = NULL;
	*n = k;
	return v;
}

static void
push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

static int
parse_uel(const char *arg, struct usmt_opts *o)
{
	long long	days;
	int		y, m, d;

	if (str_to_ll(arg, &days) == 0 && days >= 0 && days <= 36500) {
		o->uel_days = (int)days;
		return 0;
	}
	if (sscanf(arg, "%4d/%2d/%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= 31) {
		snprintf(o->uel_date, sizeof o->uel_date, "%04d-%02d-%02d", y, m, d);
		o->uel_days = -1;
		return 0;
	}
	return -1;
}

int
usmt_parse(enum usmt_tool tool, const char *text, struct usmt_opts *o, char **err)
{
	const char	*toolname = tool == USMT_CAPTURE ? "capture" : "restore";
	char		**w;
	int		 seen[ARRAY_SIZE(switches)] = { 0 };
	size_t		 n, i, j;
	int		 r = 0;

	memset(o, 0, sizeof *o);
	o->verbose = -1;
	*err = NULL;
	w = words(text, &n);
	for (i = 0; i < n && r == 0; i++) {
		char *name = w[i] + 1, *arg = NULL, *colon;

		if (w[i][0] != '/' || w[i][1] == '\0') {
			/* next to /lac:PASSWORD a stray word may be part of the
			 * password: never repeat it */
			r = fail(err, strcasestr(text, "/lac") != NULL ?
			    xasprintf("word %zu is not a USMT switch (they start with "
			    "'/'; quote a /lac password that holds a space)", i + 1) :
			    xasprintf("'%s' is not a USMT switch (they start with '/')",
			    w[i]));
			break;
		}
		if ((colon = strchr(name, ':')) != NULL) {
			*colon = '\0';
			arg = colon + 1;
		}
		for (j = 0; j < ARRAY_SIZE(switches); j++)
			if (strcasecmp(name, switches[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(switches)) {
			r = fail(err, xasprintf("unknown USMT switch '/%s' for %s", name,
			    toolname));
			break;
		}
		if (!(tool == USMT_CAPTURE ? switches[j].capture : switches[j].restore)) {
			r = fail(err, xasprintf("'/%s' is a %s switch, not a %s one", name,
			    tool == USMT_CAPTURE ? "restore" : "capture", toolname));
			break;
		}
		if (seen[j]++ && !switches[j].repeatable) {
			r = fail(err, xasprintf("'/%s' is given twice", name));
			break;
		}
		if (switches[j].arg == 1 && (arg == NULL || *arg == '\0')) {
			r = fail(err, xasprintf("'/%s' needs a value ('/%s:...')", name, name));
			break;
		}
		if (switches[j].arg == 0 && arg != NULL) {
			r = fail(err, xasprintf("'/%s' takes no value", name));
			break;
		}
		switch (j) {
		case 0: push(&o->ui, &o->nui, arg); break;
		case 1: push(&o->ue, &o->nue, arg); break;
		case 2:
			o->has_uel = 1;
			if (parse_uel(arg, o) == -1)
				r = fail(err, xasprintf("'/uel' takes days or YYYY/MM/DD, "
				    "not '%s'", arg));
			break;
		case 3: o->all = 1; break;
		case 4: o->c = 1; break;
		case 5: {
			long long v;

			if (str_to_ll(arg, &v) == -1 || v < 0 || v > 13)
				r = fail(err, xasprintf("'/v' takes a level from 0 to 13, "
				    "not '%s'", arg));
			else
				o->verbose = (int)v;
			break;
		}
		case 6: o->o = 1; break;
		case 7: o->nocompress = 1; break;
		case 8: o->hardlink = 1; break;
		case 9: o->listfiles = xstrdup(arg); break;
		case 10:
			o->p = 1;
			if (arg != NULL)
				o->p_file = xstrdup(arg);
			break;
		case 11: {
			char *sep = strchr(arg, ':');

			if (sep == NULL || sep == arg || sep[1] == '\0' ||
			    strchr(arg, '*') != NULL) {
				r = fail(err, xasprintf("'/mu' takes OLD:NEW user names, "
				    "without wildcards, not '%s'", arg));
				break;
			}
			o->mu = xreallocarray(o->mu, o->nmu + 1, sizeof *o->mu);
			o->mu[o->nmu].from = xstrndup(arg, (size_t)(sep - arg));
			o->mu[o->nmu].to = xstrdup(sep + 1);
			o->nmu++;
			break;
		}
		case 12:
			o->lac = 1;
			if (arg != NULL)
				o->lac_password = xstrdup(arg);
			break;
		case 13: o->lae = 1; break;
		}
	}
	if (r == 0 && o->all && (o->nui || o->nue || o->has_uel))
		r = fail(err, xstrdup("'/all' cannot be combined with /ui, /ue or /uel"));
	if (r == 0 && o->hardlink && !o->nocompress)
		r = fail(err, xstrdup("'/hardlink' needs '/nocompress' (a hard-link "
		    "store is never compressed)"));
	if (r == 0 && o->lae && !o->lac)
		r = fail(err, xstrdup("'/lae' needs '/lac' (it enables the accounts "
		    "/lac creates)"));
	if (r == 0 && o->listfiles && o->p)
		r = fail(err, xstrdup("'/listfiles' cannot be combined with '/p'"));
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
	if (r != 0)
		usmt_release(o);
	return r;
}

/* "name" or "DOMAIN\name" with '*' against computer\user, case-insensitively. */
int
usmt_user_matches(const char *pattern, const char *computer, const char *user)
{
	const char	*bs = strchr(pattern, '\\');
	char		*dom;
	int		 r;

	if (bs == NULL)
		return fnmatch(pattern, user, FNM_CASEFOLD) == 0;
	dom = xstrndup(pattern, (size_t)(bs - pattern));
	r = fnmatch(dom, computer, FNM_CASEFOLD) == 0 &&
	    fnmatch(bs + 1, user, FNM_CASEFOLD) == 0;
	free(dom);
	return r;
}

/*
 * USMT's precedence: /ui beats /ue and /uel; /uel beats /ue.  days_idle is
 * how long ago the user's profile last changed (-1 when unknown); date is
 * that day as YYYY-MM-DD, for /uel:YYYY/MM/DD.
 */
int
usmt_user_selected(const struct usmt_opts *o, const char *computer, const char *user,
    int days_idle, const char *date)
{
	size_t	i;

	for (i = 0; i < o->nui; i++)
		if (usmt_user_matches(o->ui[i], computer, user))
			return 1;
	if (o->has_uel) {
		if (o->uel_days >= 0)	/* /uel:0 means logged on today */
			return days_idle >= 0 && days_idle <= o->uel_days;
		return date != NULL && strcmp(date, o->uel_date) >= 0;
	}
	for (i = 0; i < o->nue; i++)
		if (usmt_user_matches(o->ue[i], computer, user))
			return 0;
	return 1;
}
