/*
 * smp.c - `tsi smp ...`: the State Migration Point's directory, its
 * service and its administration (smp/smp.h does the work); the options
 * of each subcommand, checked here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../lib/defaults.h"
#include "../lib/util.h"
#include "../smp/smp.h"

const char smp_usage[] =
	  "tsi smp init --dir DIR [--name NODE] [--database URL]\n"
	  "       tsi smp serve --dir DIR [--listen ADDR:PORT] [--port-file FILE] [--plain-http]\n"
	  "                     [--advertise URL] [--metrics-listen ADDR:PORT]\n"
	  "                     [--metrics-port-file FILE]\n"
	  "       tsi smp computer add --dir DIR --name NAME --key PUBFILE|LINE\n"
	  "       tsi smp computer list --dir DIR\n"
	  "       tsi smp associate --dir DIR --source NAME --dest NAME [--users all|NAME,...]\n"
	  "                     [--behavior capture-restore-all|capture-all-restore-specified|\n"
	  "                                 capture-restore-specified]\n"
	  "       tsi smp list --dir DIR\n"
	  "       tsi smp delete ASSOC --dir DIR | tsi smp recovery ASSOC --dir DIR\n"
	  "       tsi smp status --dir DIR [--computer NAME] [--json]\n"
	  "       tsi smp admin add --dir DIR --name NAME --password-file FILE|-\n"
	  "       tsi smp admin list --dir DIR | tsi smp admin remove --dir DIR --name NAME\n"
	  "       tsi smp nodes --dir DIR\n"
	  "       tsi smp boundary add --dir DIR --name GROUP --range CIDR,... --node NODE,...\n"
	  "       tsi smp boundary list --dir DIR | tsi smp boundary remove --dir DIR --name GROUP";

const char smp_help[] =
	  "The State Migration Point's server directory and its administration.\n"
	  "\n"
	  "  init          make DIR (0700): smp.conf, smp.db (SQLite), the TLS\n"
	  "                certificate clients pin (smp-cert.pem; key 0600) and the\n"
	  "                site recovery key (recovery.key, to move offline;\n"
	  "                recovery.pub); never replaces anything.  --name: the\n"
	  "                node's name (default: the host name).  --database URL\n"
	  "                (postgresql://...): DIR becomes a node of the site whose\n"
	  "                database that is (no smp.db); the first node makes the\n"
	  "                site's recovery key, later ones take recovery.pub\n"
	  "  serve         serve the Request/Release protocol over HTTPS with the\n"
	  "                key in DIR (docs/smp-protocol.md) until SIGTERM; --listen\n"
	  "                beats smp.conf's (port 0: any free port, written to\n"
	  "                --port-file); --plain-http drops TLS, for debugging only;\n"
	  "                --advertise: the URL clients reach this node at, which\n"
	  "                other nodes send them to (default https://ADDR:PORT of\n"
	  "                --listen, the host name for 0.0.0.0); --metrics-listen:\n"
	  "                GET /metrics for Prometheus there, plain HTTP without\n"
	  "                authentication, counts only (port 0: any free port,\n"
	  "                written to --metrics-port-file)\n"
	  "  computer      register a computer by its public identity (tsi identity\n"
	  "                show), or list them\n"
	  "  associate     the source computer's users go to the destination\n"
	  "                (ConfigMgr's computer association; default all users)\n"
	  "  list          associations and their stores\n"
	  "  delete ASSOC  an association and its stores (ASSOC: an id, or SOURCE:DEST)\n"
	  "  recovery ASSOC  how to restore its stores by hand with the recovery key\n"
	  "  status        what the computers' runs reported (TSIStatusURL): each\n"
	  "                computer's last run (sequence, start, step K/N, progress,\n"
	  "                result) and store; --computer NAME: its last 20 runs with\n"
	  "                their steps; --json: as JSON\n"
	  "  admin         the console's admins (https://NODE/console/): add one with\n"
	  "                the password on the first line of FILE (- for standard\n"
	  "                input; kept as a yescrypt hash in the site database),\n"
	  "                list them, remove one and their sessions\n"
	  "  nodes         a site's nodes: address, room, last report\n"
	  "  boundary      a site's boundary groups: computers in the ranges capture\n"
	  "                to the group's nodes when one has room\n"
	  "\n"
	  "Every command but serve works from any node's DIR and sees the whole site.\n"
	  "\n"
	  "smp.conf (YAML): node; database; listen; storage, a list of { path, max_clients,\n"
	  "min_free: MB|GB|% }; retention: immediately|Ns|Nm|Nh|Nd after the\n"
	  "destination's release; restore_only; limits: { connections,\n"
	  "per_ip_connections, unauthenticated_connections,\n"
	  "per_ip_unauthenticated_connections, idle_timeout_s, request_timeout_s,\n"
	  "max_store_mb, max_request_mb }.\n";

struct smp_args {
	const char	*dir, *name, *key, *source, *dest, *users, *behavior;
	const char	*listen, *port_file, *database, *advertise, *range, *node;
	const char	*computer, *password_file, *metrics_listen, *metrics_port_file;
	int		 plain_http, json;
};

static int
smp_usage_error(const char *fmt, const char *arg)
{
	fputs("tsi: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: %s\n", smp_usage);
	return EXIT_USAGE;
}

/* Each subcommand's options: a letter each in the table below. */
static const struct {
	const char	*sub;
	const char	*opts;
} allowed[] = {
	{ "init", "dnb" },
	{ "serve", "dlpPamM" },
	{ "computer", "dnk" },
	{ "associate", "dsDuB" },
	{ "list", "d" },
	{ "delete", "d" },
	{ "recovery", "d" },
	{ "nodes", "d" },
	{ "status", "dcj" },
	{ "admin", "dnw" },
	{ "boundary", "dnrN" },
};

static const struct option options[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "name", required_argument, NULL, 'n' },
	{ "database", required_argument, NULL, 'b' },
	{ "listen", required_argument, NULL, 'l' },
	{ "port-file", required_argument, NULL, 'p' },
	{ "plain-http", no_argument, NULL, 'P' },
	{ "advertise", required_argument, NULL, 'a' },
	{ "key", required_argument, NULL, 'k' },
	{ "source", required_argument, NULL, 's' },
	{ "dest", required_argument, NULL, 'D' },
	{ "users", required_argument, NULL, 'u' },
	{ "behavior", required_argument, NULL, 'B' },
	{ "range", required_argument, NULL, 'r' },
	{ "node", required_argument, NULL, 'N' },
	{ "computer", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "password-file", required_argument, NULL, 'w' },
	{ "metrics-listen", required_argument, NULL, 'm' },
	{ "metrics-port-file", required_argument, NULL, 'M' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The options after the subcommand (and its word: computer add); the
 * index of the first operand, or -1 after a usage message, or -2 for
 * --help. */
static int
parse(const char *sub, int argc, char **argv, struct smp_args *a)
{
	const char	*ok = "";
	size_t		 i;
	int		 ch;

	memset(a, 0, sizeof *a);
	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(allowed[i].sub, sub) == 0)
			ok = allowed[i].opts;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (ch == 'h')
			return -2;
		if (ch == ':') {
			smp_usage_error("%s needs a value", argv[optind - 1]);
			return -1;
		}
		if (ch == '?' || strchr(ok, ch) == NULL) {
			smp_usage_error("unknown or misplaced option '%s'", argv[optind - 1]);
			return -1;
		}
		switch (ch) {
		case 'd':	a->dir = optarg; break;
		case 'n':	a->name = optarg; break;
		case 'b':	a->database = optarg; break;
		case 'l':	a->listen = optarg; break;
		case 'p':	a->port_file = optarg; break;
		case 'P':	a->plain_http = 1; break;
		case 'a':	a->advertise = optarg; break;
		case 'k':	a->key = optarg; break;
		case 's':	a->source = optarg; break;
		case 'D':	a->dest = optarg; break;
		case 'u':	a->users = optarg; break;
		case 'B':	a->behavior = optarg; break;
		case 'r':	a->range = optarg; break;
		case 'N':	a->node = optarg; break;
		case 'c':	a->computer = optarg; break;
		case 'j':	a->json = 1; break;
		case 'w':	a->password_file = optarg; break;
		case 'm':	a->metrics_listen = optarg; break;
		case 'M':	a->metrics_port_file = optarg; break;
		}
	}
	return optind;
}

/* What init made, and the recovery key's warning when it made one. */
static void
init_said(const char *dir)
{
	char	*key = xasprintf("%s/recovery.key", dir);

	printf("tsi: made the SMP directory '%s'\n"
	    "  clients pin %s/smp-cert.pem (TSISMPCACert)\n", dir, dir);
	if (access(key, F_OK) == 0)
		printf("  WARNING: %s opens every store: move it offline now, keep "
		    "recovery.pub here\n", key);
	free(key);
}

/* The subcommand with its options checked: 0, -1 with *err, or -3 after a
 * usage message. */
static int
run(const char *sub, const char *what, const struct smp_args *a, char **err)
{
	char	host[65] = "smp";
	int	r;

	if (strcmp(sub, "init") == 0) {
		gethostname(host, sizeof host - 1);
		if ((r = smp_init(a->dir, a->name ? a->name : host, a->database, err)) == 0)
			init_said(a->dir);
		return r;
	}
	if (strcmp(sub, "serve") == 0) {
		const struct smp_serve_opts o = {
			.listen = a->listen, .port_file = a->port_file,
			.plain = a->plain_http, .advertise = a->advertise,
			.metrics_listen = a->metrics_listen,
			.metrics_port_file = a->metrics_port_file,
		};

		if (a->metrics_port_file != NULL && a->metrics_listen == NULL)
			return smp_usage_error("--metrics-port-file needs "
			    "--metrics-listen%s", ""), -3;
		return smp_serve(a->dir, &o, err);
	}
	if (strcmp(sub, "delete") == 0)
		return smp_delete(a->dir, what, err);
	if (strcmp(sub, "recovery") == 0)
		return smp_recovery(a->dir, what, err);
	if (strcmp(sub, "list") == 0)
		return smp_list(a->dir, err);
	if (strcmp(sub, "nodes") == 0)
		return smp_nodes(a->dir, err);
	if (strcmp(sub, "status") == 0)
		return smp_status(a->dir, a->computer, a->json, err);
	if (strcmp(sub, "computer") == 0 && strcmp(what, "list") == 0)
		return smp_computer_list(a->dir, err);
	if (strcmp(sub, "computer") == 0) {
		if (a->name == NULL || a->key == NULL)
			return smp_usage_error("smp computer add needs --name and --key%s", ""),
			    -3;
		return smp_computer_add(a->dir, a->name, a->key, err);
	}
	if (strcmp(sub, "associate") == 0) {
		if (a->source == NULL || a->dest == NULL)
			return smp_usage_error("smp associate needs --source and --dest%s", ""),
			    -3;
		return smp_associate(a->dir, a->source, a->dest, a->users, a->behavior, err);
	}
	if (strcmp(sub, "admin") == 0) {
		if (strcmp(what, "list") == 0)
			return smp_admin_list(a->dir, err);
		if (a->name == NULL)
			return smp_usage_error("smp admin %s needs --name NAME", what), -3;
		if (strcmp(what, "remove") == 0)
			return smp_admin_remove(a->dir, a->name, err);
		if (a->password_file == NULL)
			return smp_usage_error("smp admin add needs --password-file FILE%s", ""),
			    -3;
		return smp_admin_add(a->dir, a->name, a->password_file, err);
	}
	/* boundary */
	if (strcmp(what, "list") == 0)
		return smp_boundary_list(a->dir, err);
	if (a->name == NULL)
		return smp_usage_error("smp boundary %s needs --name GROUP", what), -3;
	if (strcmp(what, "remove") == 0)
		return smp_boundary_remove(a->dir, a->name, err);
	if (a->range == NULL || a->node == NULL)
		return smp_usage_error("smp boundary add needs --range and --node%s", ""), -3;
	return smp_boundary_add(a->dir, a->name, a->range, a->node, err);
}

/* The words a subcommand takes after it: computer add|list, ... */
static int
takes_word(const char *sub, const char *what)
{
	if (strcmp(sub, "computer") == 0)
		return strcmp(what, "add") == 0 || strcmp(what, "list") == 0;
	if (strcmp(sub, "boundary") == 0 || strcmp(sub, "admin") == 0)
		return strcmp(what, "add") == 0 || strcmp(what, "list") == 0 ||
		    strcmp(what, "remove") == 0;
	return -1;	/* none */
}

int
cmd_smp(int argc, char **argv)
{
	struct smp_args	 a;
	const char	*sub = argc > 1 ? argv[1] : NULL, *what = NULL;
	char		*err = NULL;
	size_t		 i;
	int		 shift = 1, r, known = 0;

	if (sub == NULL)
		return smp_usage_error("smp needs a subcommand%s", "");
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		printf("usage: %s\n\n%s", smp_usage, smp_help);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		known |= strcmp(allowed[i].sub, sub) == 0;
	if (!known)
		return smp_usage_error("unknown smp subcommand '%s'", sub);
	if (takes_word(sub, "") != -1) {
		what = argc > 2 ? argv[2] : "";
		if (takes_word(sub, what) != 1)
			return smp_usage_error(strcmp(sub, "computer") == 0 ?
			    "smp computer takes add or list, not '%s'" : strcmp(sub, "admin") == 0 ?
			    "smp admin takes add, list or remove, not '%s'" :
			    "smp boundary takes add, list or remove, not '%s'", what);
		shift = 2;
	} else if (strcmp(sub, "delete") == 0 || strcmp(sub, "recovery") == 0) {
		if (argc < 3 || argv[2][0] == '-')
			return smp_usage_error("smp %s takes an association (an id, or "
			    "SOURCE:DEST)", sub);
		what = argv[2];
		shift = 2;
	}
	if ((r = parse(sub, argc - shift, argv + shift, &a)) == -1)
		return EXIT_USAGE;
	if (r == -2) {
		printf("usage: %s\n\n%s", smp_usage, smp_help);
		return EXIT_OK;
	}
	if (r != argc - shift)
		return smp_usage_error("unexpected operand '%s'", argv[r + shift]);
	if (a.dir == NULL)
		return smp_usage_error("smp %s needs --dir DIR", sub);
	if ((r = run(sub, what, &a, &err)) == -3)
		return EXIT_USAGE;
	if (r < 0) {
		fprintf(stderr, "tsi: error: %s\n", err);
		free(err);
		return r == -2 ? EXIT_USAGE : 1;
	}
	return EXIT_OK;
}
