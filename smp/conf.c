/*
 * conf.c - smp.conf: the State Migration Point's configuration (YAML).
 * Every value is checked against its range here, so the server never
 * meets a limit it cannot honour; errors are FILE:LINE:COL.
 */
#include "smp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/diag.h"
#include "../lib/node.h"
#include "../lib/trusted.h"
#include "../lib/util.h"
#include "smp-int.h"

static const struct yaml_limits conf_limits = {
	.max_bytes = SMP_CONF_MAX_BYTES,
	.max_depth = 8,
	.max_nodes = 4096,
};

static const char *const top_keys[] = {
	"listen", "storage", "retention", "restore_only", "limits", "node", "database",
};
static const char *const folder_keys[] = { "path", "max_clients", "min_free" };
static const char *const limit_keys[] = {
	"connections", "per_ip_connections", "unauthenticated_connections",
	"per_ip_unauthenticated_connections", "idle_timeout_s", "request_timeout_s",
	"max_store_mb", "max_request_mb",
};

static const struct node *
scalar(const struct node *map, const char *key, struct diag *d)
{
	const struct node	*v = node_get(map, key);

	if (v != NULL && v->kind != NODE_SCALAR) {
		diag_error(d, &v->loc, "'%s' takes a single value, not a %s", key,
		    node_kind_name(v));
		return NULL;
	}
	return v;
}

static int
get_int(const struct node *map, const char *key, long long lo, long long hi,
    long long *out, struct diag *d)
{
	const struct node	*v = scalar(map, key, d);
	long long		 n;

	if (v == NULL)
		return node_get(map, key) == NULL ? 0 : -1;
	if (str_to_ll(v->str, &n) == -1 || n < lo || n > hi)
		return diag_error(d, &v->loc, "'%s' takes a whole number from %lld to "
		    "%lld, not '%s'", key, lo, hi, v->str);
	*out = n;
	return 0;
}

/* "2048" or "2048MB" megabytes, "20GB", or "10%". */
static int
parse_min_free(const struct node *v, struct smp_folder *f, struct diag *d)
{
	char		*end;
	long long	 n = strtoll(v->str, &end, 10);

	if (end != v->str && n >= 1 && n <= 100 && strcmp(end, "%") == 0) {
		f->min_free_pct = (int)n;
		return 0;
	}
	if (end != v->str && n >= 1 && n <= 99999 && v->str[0] != '-') {
		if (*end == '\0' || strcasecmp(end, "MB") == 0) {
			f->min_free_mb = (uint64_t)n;
			return 0;
		}
		if (strcasecmp(end, "GB") == 0) {
			f->min_free_mb = (uint64_t)n * 1024;
			return 0;
		}
	}
	return diag_error(d, &v->loc, "min_free takes 1 to 99999 MB or GB (\"500MB\", "
	    "\"20GB\") or 1 to 100%% (\"10%%\"), not '%s'", v->str);
}

static int
parse_folder(const struct node *m, struct smp_folder *f, struct diag *d)
{
	const struct node	*v;
	long long		 n = 100;

	if (m->kind != NODE_MAP)
		return diag_error(d, &m->loc, "a storage folder is a map: { path: stores, "
		    "max_clients: 100, min_free: \"10%%\" }");
	if (node_check_keys(d, m, "a storage folder", folder_keys, 3) == -1)
		return -1;
	if ((v = scalar(m, "path", d)) == NULL || v->str[0] == '\0')
		return diag_error(d, v ? &v->loc : &m->loc, "a storage folder needs a path");
	if (strstr(v->str, "..") != NULL || strchr(v->str, '\n') != NULL)
		return diag_error(d, &v->loc, "a storage folder's path may not hold '..'");
	if (get_int(m, "max_clients", 1, 99999, &n, d) == -1)
		return -1;
	f->max_clients = (long)n;
	if ((v = scalar(m, "min_free", d)) != NULL) {
		if (parse_min_free(v, f, d) == -1)
			return -1;
	} else if (node_get(m, "min_free") != NULL)
		return -1;
	else
		f->min_free_pct = 10;
	f->path = xstrdup(node_get(m, "path")->str);
	return 0;
}

/* "immediately", or a number with s, m, h or d: "36h", "7d". */
static int
parse_retention(const struct node *v, long long *out, struct diag *d)
{
	char		*end;
	long long	 n;

	if (strcasecmp(v->str, "immediately") == 0) {
		*out = 0;
		return 0;
	}
	n = strtoll(v->str, &end, 10);
	if (end != v->str && v->str[0] != '-' && n >= 0 && n <= 100000 && end[0] != '\0' &&
	    end[1] == '\0') {
		switch (*end) {
		case 's': *out = n; return 0;
		case 'm': *out = n * 60; return 0;
		case 'h': *out = n * 3600; return 0;
		case 'd': *out = n * 86400; return 0;
		}
	}
	return diag_error(d, &v->loc, "retention takes \"immediately\" or a time such "
	    "as \"36h\" or \"7d\" (s, m, h, d), not '%s'", v->str);
}

int
smp_node_name_ok(const char *s)
{
	size_t	n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

/* ADDR:PORT, [V6ADDR]:PORT; port 0 picks a free one. */
int
smp_split_listen(const char *listen, char *addr, size_t addrlen, int *port)
{
	const char	*colon = strrchr(listen, ':');
	long long	 n;
	size_t		 alen;

	if (colon == NULL || str_to_ll(colon + 1, &n) == -1 || n < 0 || n > 65535)
		return -1;
	alen = (size_t)(colon - listen);
	if (alen >= 2 && listen[0] == '[' && listen[alen - 1] == ']') {
		listen++;
		alen -= 2;
	}
	if (alen == 0 || alen >= addrlen)
		return -1;
	memcpy(addr, listen, alen);
	addr[alen] = '\0';
	*port = (int)n;
	return 0;
}

int
smp_listen_sockaddr(const char *listen, const char *what, struct sockaddr_storage *ss,
    int *port, char **err)
{
	struct sockaddr_in	*v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*v6 = (struct sockaddr_in6 *)ss;
	char			 addr[64];

	memset(ss, 0, sizeof *ss);
	if (smp_split_listen(listen, addr, sizeof addr, port) == -1) {
		*err = xasprintf("%s takes ADDR:PORT (\"127.0.0.1:9464\", \"[::1]:9464\"), "
		    "not '%s'", what, listen);
		return -1;
	}
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)*port);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)*port);
	} else {
		*err = xasprintf("%s: '%s' is not an IP address to listen on", what, addr);
		return -1;
	}
	return 0;
}

static int
parse_top(const struct node *root, struct smp_conf *c, struct diag *d)
{
	const struct node	*v, *lim;
	char			 addr[64];
	long long		 n;
	size_t			 i;
	int			 port, r = 0;

	if (root->kind != NODE_MAP)
		return diag_error(d, &root->loc, "smp.conf is a map of settings");
	if (node_check_keys(d, root, "smp.conf", top_keys, ARRAY_SIZE(top_keys)) == -1)
		return -1;
	if ((v = scalar(root, "node", d)) != NULL) {
		if (!smp_node_name_ok(v->str))
			return diag_error(d, &v->loc, "node is a name of 1 to 64 letters, "
			    "digits, '.', '_' and '-', not '%s'", v->str);
		free(c->node);
		c->node = xstrdup(v->str);
	} else if (node_get(root, "node") != NULL)
		return -1;
	if ((v = scalar(root, "database", d)) != NULL) {
		if (strncmp(v->str, "postgresql://", 13) != 0 &&
		    strncmp(v->str, "postgres://", 11) != 0)
			return diag_error(d, &v->loc, "database takes a PostgreSQL connection "
			    "URI (postgresql://...); leave it out for this folder's SQLite");
		c->database = xstrdup(v->str);
	} else if (node_get(root, "database") != NULL)
		return -1;
	if ((v = scalar(root, "listen", d)) != NULL) {
		if (smp_split_listen(v->str, addr, sizeof addr, &port) == -1)
			return diag_error(d, &v->loc, "listen takes ADDR:PORT (\"0.0.0.0:8443\", "
			    "\"[::1]:8443\"), not '%s'", v->str);
		free(c->listen);
		c->listen = xstrdup(v->str);
	} else if (node_get(root, "listen") != NULL)
		return -1;
	if ((v = node_get(root, "storage")) != NULL) {
		if (v->kind != NODE_LIST || v->n == 0)
			return diag_error(d, &v->loc, "storage is a list of folders, at least one");
		if (v->n > SMP_FOLDERS_MAX)
			return diag_error(d, &v->loc, "at most %d storage folders",
			    SMP_FOLDERS_MAX);
		for (i = 0; i < v->n && r == 0; i++) {
			r = parse_folder(v->kids[i], &c->folders[i], d);
			if (r == 0)
				c->nfolders++;
		}
		if (r == -1)
			return -1;
	}
	if ((v = scalar(root, "retention", d)) != NULL) {
		if (parse_retention(v, &c->retention_s, d) == -1)
			return -1;
	} else if (node_get(root, "retention") != NULL)
		return -1;
	if ((v = scalar(root, "restore_only", d)) != NULL) {
		if (parse_bool(v->str, &c->restore_only) == -1)
			return diag_error(d, &v->loc, "restore_only is " BOOL_WORDS
			    ", not '%s'", v->str);
	} else if (node_get(root, "restore_only") != NULL)
		return -1;
	if ((lim = node_get(root, "limits")) != NULL) {
		if (lim->kind != NODE_MAP)
			return diag_error(d, &lim->loc, "limits is a map");
		if (node_check_keys(d, lim, "limits", limit_keys,
		    ARRAY_SIZE(limit_keys)) == -1)
			return -1;
		n = c->connections;
		r |= get_int(lim, "connections", 1, 10000, &n, d);
		c->connections = (int)n;
		n = c->per_ip_connections;
		r |= get_int(lim, "per_ip_connections", 1, 10000, &n, d);
		c->per_ip_connections = (int)n;
		n = c->unauthenticated_connections;
		r |= get_int(lim, "unauthenticated_connections", 1, 10000, &n, d);
		c->unauthenticated_connections = (int)n;
		n = c->per_ip_unauthenticated_connections;
		r |= get_int(lim, "per_ip_unauthenticated_connections", 1, 10000, &n, d);
		c->per_ip_unauthenticated_connections = (int)n;
		n = c->idle_timeout_s;
		r |= get_int(lim, "idle_timeout_s", 1, 3600, &n, d);
		c->idle_timeout_s = (int)n;
		n = c->request_timeout_s;
		r |= get_int(lim, "request_timeout_s", 1, 3600, &n, d);
		c->request_timeout_s = (int)n;
		n = (long long)c->max_store_mb;
		r |= get_int(lim, "max_store_mb", 1, 16 * 1024 * 1024, &n, d);
		c->max_store_mb = (uint64_t)n;
		n = (long long)c->max_request_mb;
		r |= get_int(lim, "max_request_mb", 1, 1024, &n, d);
		c->max_request_mb = (uint64_t)n;
	}
	return r == 0 ? 0 : -1;
}

int
smp_conf_parse(const char *name, const char *text, size_t len, struct smp_conf *c,
    struct diag *d)
{
	struct node	*root;
	int		 r;

	memset(c, 0, sizeof *c);
	c->listen = xstrdup("0.0.0.0:8443");
	c->node = xstrdup("smp");
	c->retention_s = 86400;
	c->connections = 64;
	c->per_ip_connections = 32;
	c->unauthenticated_connections = 16;
	c->per_ip_unauthenticated_connections = 4;
	c->idle_timeout_s = 60;
	c->request_timeout_s = 30;
	c->max_store_mb = 100 * 1024;
	c->max_request_mb = 64;
	if ((root = yaml_load_string(name, text, len, &conf_limits, d)) == NULL) {
		smp_conf_release(c);
		return -1;
	}
	r = node_is_null(root) ? 0 : parse_top(root, c, d);
	node_free(root);
	if (r == 0 && c->nfolders == 0) {
		c->folders[0].path = xstrdup("stores");
		c->folders[0].max_clients = 100;
		c->folders[0].min_free_pct = 10;
		c->nfolders = 1;
	}
	if (r == -1)
		smp_conf_release(c);
	return r;
}

int
smp_conf_load(const char *dir, struct smp_conf *c, char **err)
{
	struct diag	 d;
	char		*path = xasprintf("%s/smp.conf", dir), *text, *why;
	size_t		 len;
	int		 r = -1;

	if (read_trusted_file(path, SMP_CONF_MAX_BYTES, &text, &len, &why) == -1) {
		if (why != NULL)
			*err = xasprintf("refusing '%s': %s", path, why);
		else
			*err = xasprintf("cannot read '%s': %s%s", path, errno == EFBIG ?
			    "larger than 64 KiB" : strerror(errno), errno == ENOENT ?
			    " (tsi smp init makes it)" : "");
		free(why);
		free(path);
		return -1;
	}
	diag_init(&d);
	if ((r = smp_conf_parse(path, text, len, c, &d)) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		*err = xasprintf("%s: %s", path, diag_summary(&d));
	}
	free(text);
	diag_release(&d);
	free(path);
	return r;
}

void
smp_conf_release(struct smp_conf *c)
{
	size_t	i;

	free(c->listen);
	free(c->node);
	free(c->database);
	for (i = 0; i < c->nfolders; i++)
		free(c->folders[i].path);
	memset(c, 0, sizeof *c);
}
