/*
 * admin.c - `tsi smp computer add|list`, `tsi smp associate`, `tsi smp
 * list|delete|recovery`: what an SMP admin does on the server directory
 * (the database through db-admin.c).
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/util.h"
#include "../store/store.h"
#include "smp-int.h"

static const char *const behaviors[] = {
	"capture-restore-all",			/* all users, captured and restored */
	"capture-all-restore-specified",	/* all captured, some restored */
	"capture-restore-specified",		/* some users only */
	NULL,
};

static int
fail_db(struct smp_db *db, char **err, const char *what)
{
	*err = xasprintf("%s: %s", what, smp_db_error(db));
	return -1;
}

int
smp_admin_open(const char *dir, struct smp_db **db, char node[SMP_NODE_LEN], char **err)
{
	struct smp_conf	 c;
	char		*conf = xasprintf("%s/smp.conf", dir);
	int		 r = access(conf, F_OK);

	free(conf);
	if (r == -1) {
		*err = xasprintf("'%s' is not an SMP directory (tsi smp init makes one): it "
		    "has no smp.conf", dir);
		return -1;
	}
	if (smp_conf_load(dir, &c, err) == -1)
		return -1;
	if (node != NULL)
		snprintf(node, SMP_NODE_LEN, "%s", c.node);
	r = smp_db_open(dir, c.database, db, err);
	/* a node on its own holds every store, whatever it was called */
	if (r == 0 && !smp_db_is_site(*db) && db_stores_adopt(*db, c.node) == -1) {
		fail_db(*db, err, "cannot update the database");
		smp_db_close(*db);
		r = -1;
	}
	smp_conf_release(&c);
	return r;
}

int
smp_computer_add(const char *dir, const char *name, const char *key, char **err)
{
	struct identity	 id;
	struct smp_db	*db;
	char		 kid[17], *line;
	int		 r;

	if (!identity_name_ok(name)) {
		*err = xasprintf("computer name '%s' may hold only letters, digits, '.', "
		    "'_' and '-' (1 to 64)", name);
		return -1;
	}
	if (identity_parse_public(key, &id, err) == -1)
		return -1;
	identity_key_id(id.x25519_pub, kid);
	line = identity_public_line(&id);
	identity_wipe(&id);
	if (smp_admin_open(dir, &db, NULL, err) == -1) {
		free(line);
		return -1;
	}
	r = db_computer_add(db, name, line, kid, (long long)time(NULL));
	if (r == DB_TAKEN)
		*err = xasprintf("a computer named '%s' is registered already", name);
	else if (r == DB_TAKEN_OTHER)
		*err = xasprintf("this key (%s) is registered already under another name",
		    kid);
	else if (r == -1)
		fail_db(db, err, "cannot add the computer");
	else
		printf("added computer '%s' (key id %s)\n", name, kid);
	smp_db_close(db);
	free(line);
	return r == 0 ? 0 : -1;
}

static void
computer_row(void *ctx, const char *name, const char *key_id, const char *added)
{
	buf_addf(ctx, "%-24s %-16s %s\n", name, key_id, added);
}

int
smp_computer_list(const char *dir, char **err)
{
	struct buf	 out;
	struct smp_db	*db;
	int		 r;

	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	/* the rows are gathered first: no heading is printed when they
	 * cannot be read */
	buf_init(&out, 0);
	if ((r = db_computers_each(db, computer_row, &out)) == -1)
		fail_db(db, err, "cannot list computers");
	else {
		printf("%-24s %-16s %s\n", "computer", "key id", "added (UTC)");
		if (out.len > 0)
			fwrite(out.data, 1, out.len, stdout);
	}
	buf_release(&out);
	smp_db_close(db);
	return r;
}

/* "all", or a comma list of user names. */
static int
users_ok(const char *users)
{
	const char	*p;

	if (strcmp(users, "all") == 0)
		return 1;
	for (p = users; *p; p++)
		if (!(*p == ',' || *p == '_' || *p == '-' || *p == '.' ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return 0;
	return *users != '\0' && *users != ',';
}

int
smp_association_check(const char **users, const char **behavior, char **err)
{
	size_t	i;

	*users = *users && **users ? *users : "all";
	*behavior = *behavior && **behavior ? *behavior : SMP_BEHAVIOR_ALL;
	for (i = 0; behaviors[i] != NULL && strcmp(behaviors[i], *behavior) != 0; i++)
		;
	if (behaviors[i] == NULL) {
		*err = xasprintf("the behavior is capture-restore-all, "
		    "capture-all-restore-specified or capture-restore-specified, not '%s'",
		    *behavior);
		return -1;
	}
	if (!users_ok(*users) || (i > 0 && strcmp(*users, "all") == 0) ||
	    (i == 0 && strcmp(*users, "all") != 0)) {
		*err = xasprintf("the user list '%s' does not fit the behavior %s (all for "
		    "capture-restore-all, user names otherwise)", *users, *behavior);
		return -1;
	}
	return 0;
}

int
smp_associate(const char *dir, const char *source, const char *dest, const char *users,
    const char *behavior, char **err)
{
	struct smp_db	*db;
	long long	 id;
	int		 r;

	if (smp_association_check(&users, &behavior, err) == -1)
		return -1;
	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	r = db_association_add(db, source, dest, users, behavior, (long long)time(NULL), &id);
	if (r == DB_MISSING)
		*err = xasprintf("'%s' and '%s' must both be registered computers (tsi smp "
		    "computer add)", source, dest);
	else if (r == DB_TAKEN)
		*err = xasprintf("'%s' is associated with '%s' already", source, dest);
	else if (r == -1)
		fail_db(db, err, "cannot associate");
	else
		printf("association %lld: %s -> %s, users %s, %s%s\n", id, source, dest, users,
		    behavior, strcmp(source, dest) == 0 ? " (in place: a refresh)" : "");
	smp_db_close(db);
	return r == 0 ? 0 : -1;
}

static void
list_row(void *ctx, const struct db_assoc_store *a)
{
	buf_addf(ctx, "%-4lld %-16s %-16s %-12s %-30s %-10s %12lld %-12s %s\n", a->assoc,
	    a->source, a->dest, a->users, a->behavior, a->state, a->size, a->node, a->folder);
}

int
smp_list(const char *dir, char **err)
{
	struct buf	 out;
	struct smp_db	*db;
	int		 r;

	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	buf_init(&out, 0);
	if ((r = db_associations_each(db, list_row, &out)) == -1)
		fail_db(db, err, "cannot list");
	else {
		printf("%-4s %-16s %-16s %-12s %-30s %-10s %12s %-12s %s\n", "id", "source",
		    "destination", "users", "behavior", "store", "bytes", "node", "folder");
		if (out.len > 0)
			fwrite(out.data, 1, out.len, stdout);
	}
	buf_release(&out);
	smp_db_close(db);
	return r;
}

/* ASSOC: an association's id, or SOURCE:DEST. */
static int
find_association(struct smp_db *db, const char *assoc, long long *id, char **err)
{
	const char	*colon = strchr(assoc, ':');
	char		*src;
	int		 found;

	if (colon != NULL) {
		src = xstrndup(assoc, (size_t)(colon - assoc));
		found = db_association_between(db, src, colon + 1, id);
		free(src);
	} else
		found = db_association_id(db, assoc, id);
	if (found == -1)
		return fail_db(db, err, "cannot look the association up");
	if (!found)
		*err = xasprintf("no association '%s' (an id from tsi smp list, or "
		    "SOURCE:DEST)", assoc);
	return found ? 0 : -1;
}

struct deleting {
	const char	*dir;
	int		 n;		/* stores whose file went */
};

static void
delete_files(void *ctx, const char *sid, const char *folder)
{
	struct deleting	*d = ctx;

	d->n += smp_store_files_remove(d->dir, folder, sid);
}

int
smp_delete(const char *dir, const char *assoc, char **err)
{
	struct deleting	 d = { dir, 0 };
	struct smp_db	*db;
	long long	 id;
	char		*why = NULL, node[SMP_NODE_LEN];
	int		 r = -1;

	if (smp_admin_open(dir, &db, node, err) == -1)
		return -1;
	if (find_association(db, assoc, &id, err) == -1)
		goto out;
	if (db_association_delete(db, node, id, delete_files, &d, &why) == -1) {
		*err = xasprintf("cannot delete: %s", why);
		free(why);
		goto out;
	}
	printf("deleted association %lld and %d store%s\n", id, d.n, d.n == 1 ? "" : "s");
	r = 0;
out:
	smp_db_close(db);
	return r;
}

struct recovering {
	const char	*dir;
	const char	*node;		/* this folder's node */
	int		 n;
};

static void
recovery_steps(void *ctx, const struct db_assoc_store *a)
{
	struct recovering	*rc = ctx;
	/* where the server keeps it: a storage folder may be absolute */
	char			*path = smp_store_path(rc->dir, a->folder, a->store, 0);

	if (strcmp(a->node, rc->node) != 0)
		printf("store %s is on node %s: these steps are for its folder there\n",
		    a->store, a->node);
	printf("store %s (%s -> %s), %s:\n"
	    "  1. bring recovery.key back from where it is kept offline, into a\n"
	    "     0700 folder KEYS as KEYS/identity.key and KEYS/identity.pub\n"
	    "  2. tsi state verify --store %s --identity KEYS\n"
	    "  3. tsi state restore --root / --store %s --identity KEYS\n"
	    "     (or tsi state extract ... --to DIR PATTERN for single files)\n",
	    a->store, a->source, a->dest, a->state, path, path);
	free(path);
	rc->n++;
}

int
smp_recovery(const char *dir, const char *assoc, char **err)
{
	struct recovering	 rc = { dir, NULL, 0 };
	struct smp_db		*db;
	long long		 id;
	char			 node[SMP_NODE_LEN];

	rc.node = node;
	if (smp_admin_open(dir, &db, node, err) == -1)
		return -1;
	if (find_association(db, assoc, &id, err) == -1 ||
	    db_association_stores(db, id, recovery_steps, &rc) == -1) {
		if (*err == NULL)
			fail_db(db, err, "cannot read the stores");
		smp_db_close(db);
		return -1;
	}
	if (rc.n == 0)
		printf("association %lld has no store yet\n", id);
	smp_db_close(db);
	return 0;
}
