/*
 * site.c - this node in its site (a PostgreSQL database shared by several
 * nodes; nothing here acts for a node on its own): its report of itself
 * every few seconds (where clients reach it, its folders' room, whether
 * it takes captures), the node a capture goes to when this one takes none
 * or the computer's boundary group prefers another, the redirect to the
 * node that holds a store, and the store files other nodes asked it to
 * delete.
 */
#include "smp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/util.h"
#include "smp-int.h"

/* A report older than this is a node that is down: nothing is sent there. */
#define NODE_STALE_S	(3 * SMP_SITE_REPORT_S)

void
smp_site_report(struct smp_server *s)
{
	struct smp_folder_stat	 st;
	struct smp_node_row	 n;
	size_t			 i;

	memset(&n, 0, sizeof n);
	snprintf(n.name, sizeof n.name, "%s", s->conf.node);
	snprintf(n.url, sizeof n.url, "%s", s->advertise ? s->advertise : "");
	n.restore_only = smp_restore_only(s);
	n.seen = (long long)time(NULL);
	snprintf(n.why, sizeof n.why, "no storage folder is configured");
	for (i = 0; i < s->conf.nfolders; i++) {
		smp_folder_stat(s, i, &st);
		db_node_folder_report(s->db, s->conf.node, s->conf.folders[i].path,
		    (long long)st.free_mb, (long long)st.total_mb, st.clients, st.max_clients,
		    st.takes);
		n.clients += st.clients;
		n.max_clients += st.max_clients;
		if (st.takes) {
			n.takes_capture = 1;
			n.free_mb += (long long)st.free_mb;
		} else if (!n.takes_capture)
			snprintf(n.why, sizeof n.why, "%s", st.why);
	}
	if (n.restore_only) {
		n.takes_capture = 0;
		snprintf(n.why, sizeof n.why, "restore-only mode");
	} else if (n.takes_capture)
		n.why[0] = '\0';
	if (db_node_report(s->db, &n) == -1 && !s->report_failed)
		fprintf(stderr, "tsi smp: cannot report this node to the site: %s\n",
		    smp_db_error(s->db));
	s->report_failed = smp_db_failure(s->db) != DBF_NONE;
}

/* A store whose association was deleted through another node. */
static void
delete_asked(void *ctx, const char *id, const char *folder)
{
	struct smp_server	*s = ctx;

	smp_store_files_remove(s->dir, folder, id);
	fprintf(stderr, "tsi smp: deleted store %s: its association was deleted\n", id);
}

/* --advertise, or the address and port this node listens on (the host's
 * name when it listens on every address). */
static char *
advertised(const struct smp_server *s, const char *listen, int port, const char *given)
{
	char	addr[256], host[256] = "localhost";
	int	p;

	if (given != NULL)
		return xstrdup(given);
	if (smp_split_listen(listen, addr, sizeof addr, &p) == -1 ||
	    strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0) {
		gethostname(host, sizeof host - 1);
		snprintf(addr, sizeof addr, "%s", host);
	}
	return xasprintf("%s://%s%s%s:%d", s->plain ? "http" : "https",
	    strchr(addr, ':') ? "[" : "", addr, strchr(addr, ':') ? "]" : "", port);
}

int
smp_site_join(struct smp_server *s, const char *listen, int port, const char *given,
    char **err)
{
	char	pin[SMP_PIN_HEX], *pub = NULL, *e = NULL;
	int	r;

	if (given != NULL && strncmp(given, s->plain ? "http://" : "https://",
	    s->plain ? 7 : 8) != 0) {
		*err = xasprintf("--advertise takes the URL clients reach this node at "
		    "(%s://HOST:PORT), not '%s'", s->plain ? "http" : "https", given);
		return -1;
	}
	if (given != NULL && strlen(given) >= sizeof(((struct smp_node_row *)0)->url)) {
		*err = xasprintf("--advertise is over %zu bytes",
		    sizeof(((struct smp_node_row *)0)->url) - 1);
		return -1;
	}
	s->advertise = advertised(s, listen, port, given);
	if (!smp_db_is_site(s->db)) {
		/* a node on its own is the one node of its own site: its row
		 * and its folders' room are what the console shows */
		pthread_mutex_lock(&s->lock);
		if (db_node_pin(s->db, s->conf.node, pin) == 0)
			db_node_add(s->db, s->conf.node, "", s->pin,
			    (long long)time(NULL));
		smp_site_report(s);
		s->reported = time(NULL);
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	pthread_mutex_lock(&s->lock);
	if ((r = db_node_pin(s->db, s->conf.node, pin)) == -1)
		e = xasprintf("the site database: %s", smp_db_error(s->db));
	else if (r == 0)
		e = xasprintf("the site has no node '%s': this folder was not made a node "
		    "of this site's database (tsi smp init --database)", s->conf.node);
	else if (strcmp(pin, s->pin) != 0)
		e = xasprintf("the site's node '%s' has another certificate than this "
		    "folder's smp-cert.pem", s->conf.node);
	else if ((pub = db_site_get(s->db, "recovery_pub")) == NULL)
		e = xasprintf("the site database has no recovery key%s%s",
		    smp_db_failure(s->db) != DBF_NONE ? ": " : "",
		    smp_db_failure(s->db) != DBF_NONE ? smp_db_error(s->db) : "");
	else if (strcmp(pub, s->recovery_line) != 0)
		e = xstrdup("this folder's recovery.pub is not the site's recovery key");
	else {
		smp_site_report(s);
		s->reported = time(NULL);
	}
	pthread_mutex_unlock(&s->lock);
	free(pub);
	if (e != NULL) {
		*err = e;
		return -1;
	}
	fprintf(stderr, "tsi smp: node '%s' of the site, reached at %s\n", s->conf.node,
	    s->advertise);
	return 0;
}

int
smp_restore_only(const struct smp_server *s)
{
	return s->conf.restore_only || s->set_restore_only;
}

void
smp_site_tick(struct smp_server *s)
{
	time_t	now = time(NULL);
	int	on;

	pthread_mutex_lock(&s->lock);
	if ((on = db_node_restore_only(s->db, s->conf.node)) != -1 &&
	    on != s->set_restore_only) {
		s->set_restore_only = on;
		fprintf(stderr, "tsi smp: an admin set this node %s\n", on ?
		    "restore-only" : "to take captures again");
	}
	pthread_mutex_unlock(&s->lock);
	if (now - s->reported < SMP_SITE_REPORT_S)
		return;
	s->reported = now;
	pthread_mutex_lock(&s->lock);
	smp_site_report(s);
	if (smp_db_is_site(s->db))
		db_deletions_each(s->db, s->conf.node, delete_asked, s);
	pthread_mutex_unlock(&s->lock);
}

void
smp_site_send_to(struct smp_server *s, const char *node, const char *target,
    struct smp_reply *r)
{
	struct smp_node_row	n;

	if (db_node_get(s->db, node, &n) != 1 || n.url[0] == '\0') {
		if (smp_db_failure(s->db) != DBF_NONE)
			smp_reply_db_error(s, r);
		else
			smp_reply_error(r, 503, "node '%s' of the site holds it, and has not "
			    "served yet: its address is not known", node);
		return;
	}
	r->status = 307;
	snprintf(r->location, sizeof r->location, "%s%s", n.url, target);
	buf_addf(&r->body, "node: %s\nlocation: %s\n", n.name, r->location);
}

/* "10.1.0.0/16" or "fd00::/8" as 16 bytes (IPv4 mapped into IPv6) and a
 * prefix length over them; 0, or -1 when it is not a range. */
int
smp_cidr_parse(const char *text, uint8_t net[16], int *bits)
{
	char		 addr[64];
	const char	*slash = strchr(text, '/');
	long long	 n;
	size_t		 len = slash ? (size_t)(slash - text) : strlen(text);
	int		 v4;

	if (len == 0 || len >= sizeof addr)
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(net, 0, 16);
	if ((v4 = inet_pton(AF_INET, addr, net + 12) == 1))
		net[10] = net[11] = 0xff;
	else if (inet_pton(AF_INET6, addr, net) != 1)
		return -1;
	if (slash == NULL)
		n = v4 ? 32 : 128;
	else if (str_to_ll(slash + 1, &n) == -1 || n < 0 || n > (v4 ? 32 : 128))
		return -1;
	*bits = (int)n + (v4 ? 96 : 0);
	return 0;
}

int
smp_cidr_holds(const uint8_t net[16], int bits, const uint8_t addr[16])
{
	int	i;

	for (i = 0; i < bits; i++)
		if (((net[i / 8] ^ addr[i / 8]) >> (7 - i % 8)) & 1)
			return 0;
	return 1;
}

/* Whether name is in a comma-separated list. */
static int
listed(const char *list, const char *name)
{
	size_t		n = strlen(name);
	const char	*p;

	for (p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

struct pick {
	const struct smp_server	*s;
	const char		*group_nodes;	/* NULL: any node */
	long long		 now;
	struct smp_node_row	 best;
	int			 found;
};

static void
consider(void *ctx, const struct smp_node_row *n)
{
	struct pick	*p = ctx;

	if (strcmp(n->name, p->s->conf.node) == 0 || !n->takes_capture ||
	    n->url[0] == '\0' || p->now - n->seen > NODE_STALE_S ||
	    (p->group_nodes != NULL && !listed(p->group_nodes, n->name)))
		return;
	if (!p->found || n->free_mb > p->best.free_mb) {
		p->best = *n;
		p->found = 1;
	}
}

/* The boundary groups whose ranges hold the address: their nodes, as a
 * comma-separated list into out ("" when none holds it). */
struct boundary_match {
	const uint8_t	*addr;
	struct buf	 nodes;
	char		 groups[256];
};

static void
match_group(void *ctx, const char *name, const char *ranges, const char *nodes)
{
	struct boundary_match	*m = ctx;
	uint8_t			 net[16];
	char			*copy = xstrdup(ranges), *tok, *save = NULL;
	int			 bits, in = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL && !in;
	    tok = strtok_r(NULL, ",", &save))
		in = smp_cidr_parse(tok, net, &bits) == 0 && smp_cidr_holds(net, bits, m->addr);
	free(copy);
	if (!in)
		return;
	buf_addf(&m->nodes, "%s%s", m->nodes.len ? "," : "", nodes);
	snprintf(m->groups + strlen(m->groups), sizeof m->groups - strlen(m->groups), "%s%s",
	    m->groups[0] ? "," : "", name);
}

int
smp_site_capture_elsewhere(struct smp_server *s, const struct smp_who *who, int here_ok,
    struct smp_reply *r)
{
	struct boundary_match	m = { who->addr, BUF_INIT, "" };
	struct pick		p;
	int			sent = 0;

	if (!smp_db_is_site(s->db))
		return 0;
	memset(&p, 0, sizeof p);
	p.s = s;
	p.now = (long long)time(NULL);
	buf_init(&m.nodes, 64 * 1024);
	db_boundaries_each(s->db, match_group, &m);
	if (m.nodes.len > 0 && !(here_ok && listed(m.nodes.data, s->conf.node))) {
		/* the computer's boundary group prefers other nodes */
		p.group_nodes = m.nodes.data;
		db_nodes_each(s->db, consider, &p);
	}
	if (!p.found && !here_ok) {
		p.group_nodes = NULL;
		db_nodes_each(s->db, consider, &p);
	}
	if (p.found) {
		r->status = 307;
		snprintf(r->location, sizeof r->location, "%s/v1/request?mode=capture",
		    p.best.url);
		buf_addf(&r->body, "node: %s\nlocation: %s\n", p.best.name, r->location);
		if (m.groups[0] != '\0')
			buf_addf(&r->body, "boundary_group: %s\n", m.groups);
		sent = 1;
	}
	buf_release(&m.nodes);
	return sent;
}

int
smp_site_capture_url(struct smp_server *s, char *url, size_t len)
{
	struct pick	p;

	memset(&p, 0, sizeof p);
	p.s = s;
	p.now = (long long)time(NULL);
	if (!smp_db_is_site(s->db) || db_nodes_each(s->db, consider, &p) == -1 || !p.found)
		return 0;
	snprintf(url, len, "%s (node %s)", p.best.url, p.best.name);
	return 1;
}
