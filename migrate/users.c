/* users.c - the users of the system under --root; see migrate.h */
#include "migrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PASSWD_MAX	(16u * 1024 * 1024)
#define NOBODY_UID	65534

static char *
field(char **p)
{
	char	*s = *p, *c = strchr(s, ':');

	if (c != NULL) {
		*c = '\0';
		*p = c + 1;
	} else
		*p = s + strlen(s);
	return s;
}

static int
parse_id(const char *s, unsigned long *out)
{
	long long	v;

	if (str_to_ll(s, &v) == -1 || v < 0 || v > 0xffffffffLL)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* The name of group gid in ROOT/etc/group, or NULL. */
static char *
group_name(const char *groups, gid_t gid)
{
	const char	*line = groups;
	char		*copy, *p, *name, *out = NULL;
	unsigned long	 g;

	while (line != NULL && *line != '\0' && out == NULL) {
		const char *nl = strchr(line, '\n');

		copy = nl ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
		p = copy;
		name = field(&p);
		(void)field(&p);
		if (parse_id(field(&p), &g) == 0 && g == gid && *name != '\0')
			out = xstrdup(name);
		free(copy);
		line = nl ? nl + 1 : NULL;
	}
	return out;
}

int
users_load(const char *root, int all, struct mig_users *us, struct diag *d)
{
	char		*path = xasprintf("%s/etc/passwd", strcmp(root, "/") ? root : "");
	char		*gpath = xasprintf("%s/etc/group", strcmp(root, "/") ? root : "");
	char		*text, *groups = NULL, *line, *save, *p;
	const char	*file = source_name(path);
	unsigned long	 uid, gid;
	int		 lineno = 0;

	memset(us, 0, sizeof *us);
	if (read_file(path, PASSWD_MAX, &text, NULL) == -1) {
		struct loc l = { file, 0, 0 };

		diag_error(d, &l, "cannot read the users of '%s': %s", root,
		    strerror(errno));
		free(path);
		free(gpath);
		return -1;
	}
	if (read_file(gpath, PASSWD_MAX, &groups, NULL) == -1)
		groups = NULL;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *name, *gecos, *home, *shell;
		struct loc l = { file, ++lineno, 1 };

		if (*line == '#' || *line == '\0')
			continue;
		p = line;
		name = field(&p);
		(void)field(&p);
		if (parse_id(field(&p), &uid) == -1 || parse_id(field(&p), &gid) == -1) {
			diag_warning(d, &l, "not a passwd entry: no numeric uid and gid");
			continue;
		}
		gecos = field(&p);
		home = field(&p);
		shell = field(&p);
		if (*name == '\0' || home[0] != '/') {
			diag_warning(d, &l, "passwd entry '%s' has no absolute home", name);
			continue;
		}
		if (!all && (uid < 1000 || uid == NOBODY_UID || strcmp(name, "nobody") == 0))
			continue;
		us->v = xreallocarray(us->v, us->n + 1, sizeof *us->v);
		us->v[us->n].name = xstrdup(name);
		us->v[us->n].uid = (uid_t)uid;
		us->v[us->n].gid = (gid_t)gid;
		us->v[us->n].group = groups ? group_name(groups, (gid_t)gid) : NULL;
		us->v[us->n].gecos = xstrdup(gecos);
		us->v[us->n].home = xstrdup(home);
		us->v[us->n].shell = xstrdup(shell);
		us->n++;
	}
	free(text);
	free(groups);
	free(path);
	free(gpath);
	return 0;
}

void
users_release(struct mig_users *us)
{
	size_t	i;

	for (i = 0; i < us->n; i++) {
		free(us->v[i].name);
		free(us->v[i].group);
		free(us->v[i].gecos);
		free(us->v[i].home);
		free(us->v[i].shell);
	}
	free(us->v);
	memset(us, 0, sizeof *us);
}

const struct mig_user *
users_owner(const struct mig_users *us, const char *path, const char **rel)
{
	size_t	i, n;

	for (i = 0; i < us->n; i++) {
		n = strlen(us->v[i].home);
		while (n > 1 && us->v[i].home[n - 1] == '/')
			n--;
		if (strncmp(path, us->v[i].home, n) != 0 ||
		    (path[n] != '/' && path[n] != '\0'))
			continue;
		*rel = path[n] == '/' ? path + n + 1 : path + n;
		return &us->v[i];
	}
	return NULL;
}

int
ids_load(const char *root, const char *file, struct mig_ids *ids)
{
	char		*path = xasprintf("%s/etc/%s", strcmp(root, "/") ? root : "", file);
	char		*text, *line, *save, *p, *name;
	unsigned long	 id;

	memset(ids, 0, sizeof *ids);
	if (read_file(path, PASSWD_MAX, &text, NULL) == -1) {
		free(path);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		p = line;
		name = field(&p);
		(void)field(&p);
		if (*name == '\0' || *name == '#' || parse_id(field(&p), &id) == -1)
			continue;
		ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
		ids->v[ids->n].name = xstrdup(name);
		ids->v[ids->n++].id = id;
	}
	free(text);
	free(path);
	return 0;
}

const char *
ids_name(const struct mig_ids *ids, unsigned long id)
{
	size_t	i;

	for (i = 0; i < ids->n; i++)
		if (ids->v[i].id == id)
			return ids->v[i].name;
	return NULL;
}

int
ids_id(const struct mig_ids *ids, const char *name, unsigned long *id)
{
	size_t	i;

	for (i = 0; name != NULL && i < ids->n; i++)
		if (strcmp(ids->v[i].name, name) == 0) {
			*id = ids->v[i].id;
			return 0;
		}
	return -1;
}

void
ids_release(struct mig_ids *ids)
{
	size_t	i;

	for (i = 0; i < ids->n; i++)
		free(ids->v[i].name);
	free(ids->v);
	memset(ids, 0, sizeof *ids);
}
