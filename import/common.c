/*
 * common.c - what the converters of import/ share: notes and report items,
 * the fields and properties of the XML, and telling Windows-only paths,
 * command lines and passwords apart.
 */
#include "import-int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
notes_add(struct notes *n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	n->v = xreallocarray(n->v, n->n + 1, sizeof *n->v);
	n->v[n->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
notes_release(struct notes *n)
{
	size_t	i;

	for (i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

void
notes_comment(const struct notes *n, struct yv *v)
{
	size_t	i;

	for (i = 0; i < n->n; i++)
		yv_comment(v, "PORT: %s", n->v[i]);
}

char *
notes_join(const struct notes *n)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	for (i = 0; i < n->n; i++)
		buf_addf(&b, "%s%s", i ? "; " : "", n->v[i]);
	return b.data;
}

void
conv_item(struct conv *c, enum conv_result r, enum conv_kind k, const char *name,
    const struct xml_elem *e, const char *why)
{
	struct import_report	*rep = c->rep;
	struct conv_item	*it;

	if (rep->n == rep->alloc) {
		rep->alloc = rep->alloc ? rep->alloc * 2 : 64;
		rep->items = xreallocarray(rep->items, rep->alloc, sizeof *rep->items);
	}
	it = &rep->items[rep->n++];
	it->result = r;
	it->kind = k;
	it->name = xstrdup(name ? name : "");
	it->loc = e->loc;
	it->why = why ? xstrdup(why) : NULL;
	it->seq = rep->n;
	rep->counts[k][r]++;
}

const char *
field(const struct xml_elem *e, const char *name)
{
	size_t	i;
	const char *n;

	for (i = 0; i < e->n; i++) {
		if (strcmp(e->kids[i]->name, "variable") != 0)
			continue;
		if ((n = xml_attr(e->kids[i], "name")) != NULL && strcmp(n, name) == 0)
			return e->kids[i]->text;
	}
	return NULL;
}

const char *
prop(const struct xml_elem *step, const char *property)
{
	const struct xml_elem	*list = xml_child(step, "defaultVarList");
	const char		*p, *n;
	size_t			 i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < list->n; i++) {
		p = xml_attr(list->kids[i], "property");
		n = xml_attr(list->kids[i], "name");
		if ((p != NULL && strcmp(p, property) == 0) ||
		    (p == NULL && n != NULL && strcmp(n, property) == 0))
			return list->kids[i]->text;
	}
	return NULL;
}

char *
trimmed(const char *s)
{
	size_t	n;

	if (s == NULL)
		return xstrdup("");
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
	    s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

int
windows_path(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	if (((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
	    s[1] == ':')
		return 1;
	return strchr(s, '\\') != NULL;
}

int
windows_command(const char *s)
{
	static const char *const anywhere[] = {
		".exe", ".wsf", ".vbs", ".cmd", ".bat", ".ps1", "%scriptroot%",
		"%deployroot%", "%systemroot%", "%windir%", "%programfiles%",
	};
	static const char *const first[] = {
		"cscript", "wscript", "cmd ", "powershell", "reg ", "bcdboot",
		"bcdedit", "diskpart", "wmic", "msiexec", "dism", "net use", "robocopy",
	};
	const char	*p;
	size_t		 i;

	if (s == NULL)
		return 0;
	while (*s == ' ' || *s == '"')
		s++;
	for (i = 0; i < ARRAY_SIZE(anywhere); i++)
		if (strcasestr(s, anywhere[i]) != NULL)
			return 1;
	for (i = 0; i < ARRAY_SIZE(first); i++)
		if (strncasecmp(s, first[i], strlen(first[i])) == 0)
			return 1;
	for (p = s; (p = strchr(p, ':')) != NULL; p++)	/* C:\ */
		if (p > s && ((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' &&
		    p[-1] <= 'z')) && p[1] == '\\')
			return 1;
	return strstr(s, "\\\\") != NULL;		/* \\server\share */
}

int
secret_name(const char *s)
{
	return s != NULL && (strcasestr(s, "password") != NULL ||
	    strcasestr(s, "productkey") != NULL || strcasestr(s, "secret") != NULL);
}

