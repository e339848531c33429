/*
 * admin-site.c - `tsi smp nodes` and `tsi smp boundary add|list|remove`:
 * the nodes of a site as the site database sees them, and its boundary
 * groups (address ranges whose computers' captures go to given nodes when
 * one of them has room, ConfigMgr's way to keep traffic local).
 */
#include "smp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/util.h"
#include "smp-int.h"

/* DIR's site database: 0, or -1 when DIR is a node on its own. */
static int
open_site(const char *dir, struct smp_db **db, char **err)
{
	if (smp_admin_open(dir, db, NULL, err) == -1)
		return -1;
	if (smp_db_is_site(*db))
		return 0;
	smp_db_close(*db);
	*err = xasprintf("'%s' is not a node of a site (its smp.conf names no database; "
	    "tsi smp init --database makes one)", dir);
	return -1;
}

static void
node_row(void *ctx, const struct smp_node_row *n)
{
	long long	age = (long long)time(NULL) - n->seen;
	char		seen[32];

	if (n->seen == 0)
		snprintf(seen, sizeof seen, "never served");
	else if (age > 3 * SMP_SITE_REPORT_S)
		snprintf(seen, sizeof seen, "down? %llds ago", age);
	else
		snprintf(seen, sizeof seen, "%llds ago", age < 0 ? 0 : age);
	buf_addf(ctx, "%-16s %-32s %-8s %10lld %5lld/%-5lld %-16s %s\n", n->name,
	    n->url[0] ? n->url : "-", n->takes_capture ? "yes" : "no", n->free_mb,
	    n->clients, n->max_clients, seen, n->takes_capture ? "" : n->why);
}

int
smp_nodes(const char *dir, char **err)
{
	struct smp_db	*db;
	struct buf	 out;
	int		 r;

	if (open_site(dir, &db, err) == -1)
		return -1;
	buf_init(&out, 0);
	if ((r = db_nodes_each(db, node_row, &out)) == -1)
		*err = xasprintf("cannot list the nodes: %s", smp_db_error(db));
	else {
		printf("%-16s %-32s %-8s %10s %11s %-16s %s\n", "node", "url", "capture",
		    "free MB", "stores", "last report", "why not");
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	}
	buf_release(&out);
	smp_db_close(db);
	return r;
}

/* A comma-separated list, each item checked by ok; 0, or -1 with *err. */
static int
check_list(const char *list, const char *what, int (*ok)(struct smp_db *, const char *,
    char **), struct smp_db *db, char **err)
{
	char	*copy = xstrdup(list), *tok, *save = NULL;
	int	 r = 0, n = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL && r == 0;
	    tok = strtok_r(NULL, ",", &save), n++)
		r = ok(db, tok, err);
	free(copy);
	if (r == 0 && (n == 0 || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,") != NULL)) {
		*err = xasprintf("%s takes a comma-separated list, not '%s'", what, list);
		r = -1;
	}
	return r;
}

static int
range_ok(struct smp_db *db, const char *range, char **err)
{
	uint8_t	net[16];
	int	bits;

	(void)db;
	if (smp_cidr_parse(range, net, &bits) == 0)
		return 0;
	*err = xasprintf("'%s' is not an address range (10.1.0.0/16, fd00::/8, or one "
	    "address)", range);
	return -1;
}

static int
node_ok(struct smp_db *db, const char *node, char **err)
{
	char	pin[SMP_PIN_HEX];
	int	r = db_node_pin(db, node, pin);

	if (r == 1)
		return 0;
	*err = r == 0 ? xasprintf("the site has no node '%s' (tsi smp nodes lists them)",
	    node) : xasprintf("the site database: %s", smp_db_error(db));
	return -1;
}

int
smp_boundary_add(const char *dir, const char *name, const char *ranges, const char *nodes,
    char **err)
{
	struct smp_db	*db;
	int		 r;

	if (!smp_node_name_ok(name)) {
		*err = xasprintf("a boundary group's name is 1 to 64 letters, digits, '.', "
		    "'_' and '-', not '%s'", name);
		return -1;
	}
	if (open_site(dir, &db, err) == -1)
		return -1;
	r = check_list(ranges, "--range", range_ok, db, err);
	if (r == 0)
		r = check_list(nodes, "--node", node_ok, db, err);
	if (r == 0 && (r = db_boundary_put(db, name, ranges, nodes)) == -1)
		*err = xasprintf("the site database: %s", smp_db_error(db));
	if (r == 0)
		printf("boundary group '%s': computers in %s capture to %s when it has "
		    "room\n", name, ranges, nodes);
	smp_db_close(db);
	return r;
}

static void
boundary_row(void *ctx, const char *name, const char *ranges, const char *nodes)
{
	buf_addf(ctx, "%-20s %-40s %s\n", name, ranges, nodes);
}

int
smp_boundary_list(const char *dir, char **err)
{
	struct smp_db	*db;
	struct buf	 out;
	int		 r;

	if (open_site(dir, &db, err) == -1)
		return -1;
	buf_init(&out, 0);
	if ((r = db_boundaries_each(db, boundary_row, &out)) == -1)
		*err = xasprintf("the site database: %s", smp_db_error(db));
	else {
		printf("%-20s %-40s %s\n", "group", "ranges", "nodes");
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	}
	buf_release(&out);
	smp_db_close(db);
	return r;
}

int
smp_boundary_remove(const char *dir, const char *name, char **err)
{
	struct smp_db	*db;
	int		 r;

	if (open_site(dir, &db, err) == -1)
		return -1;
	if ((r = db_boundary_remove(db, name)) == -1)
		*err = xasprintf("the site database: %s", smp_db_error(db));
	else if (r == 0)
		*err = xasprintf("no boundary group '%s' (tsi smp boundary list)", name);
	else
		printf("removed boundary group '%s'\n", name);
	smp_db_close(db);
	return r == 1 ? 0 : -1;
}
