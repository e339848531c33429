/*
 * state-cli.c - `tsi state SUBCOMMAND`: turns the command line into the
 * options of state.h and the messages into lines on stderr.
 */
#include "../migrate/state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../migrate/migrate.h"
#include "cli.h"

/* `tsi state`'s usage and help, for `tsi --help state` (main.c). */
const char state_usage[] =
	"tsi state capture --root DIR --store PATH [--recipient FILE|LINE]...\n"
	"                        [--rules NAME|FILE]... [--hardlink] [--all] [/SWITCH]...\n"
	"       tsi state restore --root DIR --store PATH [--identity DIR]\n"
	"                        [--overwrite rename|skip|overwrite|newer] [/SWITCH]...\n"
	"       tsi state verify --store PATH [--identity DIR]\n"
	"       tsi state list --store PATH [--identity DIR] [--verbose]\n"
	"       tsi state extract --store PATH [--identity DIR] --to DIR [PATTERN]...\n"
	"       tsi state undo --root DIR --store PATH\n"
	"       tsi state estimate --root DIR [--rules NAME|FILE]... [--all] [/SWITCH]...\n"
	"       tsi state explain --root DIR PATH [--rules NAME|FILE]...";
const char state_help[] =
	"User state: which files in users' homes travel, and why; capturing them\n"
	"into a store and restoring them.\n"
	"\n"
	"  capture       walk the homes of the users under the root and write the\n"
	"                files the rules include into an encrypted store (a file,\n"
	"                readable only by its recipients) or, with --hardlink, a\n"
	"                hard-link store (a folder on the same file system; no data\n"
	"                is copied, nothing is encrypted).  An existing store is\n"
	"                replaced only with /o.\n"
	"  restore       write a store's files into the homes under the root: owners\n"
	"                mapped by name, nothing written outside the homes, no\n"
	"                symlink followed; a killed restore resumes when run again\n"
	"  verify        check every chunk (no identity needed) and, with an\n"
	"                identity, every file against its SHA-256 in the catalog;\n"
	"                exit 1 on any damage\n"
	"  list          the catalog: type, mode, owner, size, time, path\n"
	"  extract       files matching PATTERNs (USER/path globs, ** allowed) into\n"
	"                DIR, without restoring anything else\n"
	"  undo          put back every file the restore of the store created,\n"
	"                replaced or renamed (records in ROOT" RESTORE_STATE_DIR ")\n"
	"  explain PATH  which rule includes or excludes PATH (as seen inside the\n"
	"                root, e.g. /home/alice/.cache/x), and every rule that matched\n"
	"  estimate      files and bytes per user and per rule, like ScanState /p\n"
	"\n"
	"  --root DIR    the system whose users are meant (default /)\n"
	"  --store PATH  an encrypted store file, or a hard-link store folder\n"
	"  --recipient R a public identity line or a file holding one (identity.pub);\n"
	"                repeatable; default: the identity of --identity\n"
	"  --identity DIR  the private identity that opens the store (default\n"
	"                " DEFAULT_IDENTITY_DIR "); hard-link stores need none\n"
	"  --overwrite M when a file exists: rename (default: the restored file\n"
	"                becomes 'name (1).ext'), skip, overwrite or newer\n"
	"  --rules R     a rule pack by name (see rules/) or a rule file; repeatable;\n"
	"                default: home (the whole home, less what package managers\n"
	"                install again).  The exclusions pack (caches, trash,\n"
	"                runtime files of known programs) always applies.\n"
	"  --all         system accounts too (uid below 1000, nobody)\n"
	"  --verbose     file by file\n"
	"  /SWITCH       USMT's switches: capture /ui /ue /uel /all /c /v /o\n"
	"                /nocompress /hardlink; restore /ui /ue /all /mu /lac /lae /c\n"
	"                /v.  /ui:USER /ue:USER take a name or COMPUTER\\name with *\n"
	"\n"
	"exit codes: 0 done, 1 failed or damage found, 2 usage or invalid input,\n"
	"4 capture or restore done with findings (what did not travel, and why,\n"
	"is in the log as 'finding:' lines).\n";


static void
say(void *ctx, enum state_msg kind, int percent, const char *msg)
{
	int	tty = *(int *)ctx;

	(void)percent;
	switch (kind) {
	case STATE_PROGRESS:
		if (tty)
			fprintf(stderr, "\r\033[K%s", msg);
		return;
	case STATE_FINDING:
		fprintf(stderr, "%stsi: finding: %s\n", tty ? "\r\033[K" : "", msg);
		return;
	default:
		fprintf(stderr, "%stsi: %s\n", tty ? "\r\033[K" : "", msg);
	}
}

/* The operands as one switch string: "/ui:alice" "/c" ... */
static char *
switches(const struct state_args *a)
{
	struct buf	b = BUF_INIT;
	size_t		i;

	buf_adds(&b, "");
	for (i = 0; i < a->noperands; i++) {
		if (a->operands[i][0] != '/') {
			fprintf(stderr, "tsi: error: '%s' is not a USMT switch (they start "
			    "with /)\n", a->operands[i]);
			buf_release(&b);
			return NULL;
		}
		buf_adds(&b, i ? " \"" : "\"");
		buf_adds(&b, a->operands[i]);
		buf_addch(&b, '"');
	}
	return buf_detach(&b);
}

static int
load_identity(const struct state_args *a, struct identity *id)
{
	char	*err = NULL;

	if (identity_load(a->identity ? a->identity : DEFAULT_IDENTITY_DIR, id, &err) == 0)
		return 0;
	fprintf(stderr, "tsi: error: %s\n", err);
	free(err);
	return -1;
}

static int
need_store(const struct state_args *a, const char *sub)
{
	if (a->store != NULL)
		return 0;
	fprintf(stderr, "tsi: error: state %s needs --store PATH\n", sub);
	return -1;
}

static void
summary(const char *what, const struct state_counts *n)
{
	fprintf(stderr, "tsi: %s: %" PRIu64 " files, %" PRIu64 " bytes", what, n->files,
	    n->bytes);
	if (n->created || n->replaced || n->renamed || n->unchanged || n->skipped)
		fprintf(stderr, "; %" PRIu64 " created, %" PRIu64 " replaced, %" PRIu64
		    " renamed, %" PRIu64 " unchanged, %" PRIu64 " skipped", n->created,
		    n->replaced, n->renamed, n->unchanged, n->skipped);
	fprintf(stderr, "; %" PRIu64 " finding%s\n", n->findings,
	    n->findings == 1 ? "" : "s");
}

static int
cli_capture(const struct state_args *a, const struct state_log *log)
{
	struct capture_opts	 o;
	struct state_counts	 n;
	struct identity		 ids[STATE_ARGS_MAX];
	char			 host[65] = "localhost", *sw, *err = NULL;
	size_t			 i, nids = 0;
	int			 r = EXIT_USAGE;

	if (need_store(a, "capture") == -1 || (sw = switches(a)) == NULL)
		return EXIT_USAGE;
	memset(&o, 0, sizeof o);
	gethostname(host, sizeof host - 1);
	for (i = 0; i < a->nrecipients; i++, nids++)
		if (identity_parse_public(a->recipients[i], &ids[i], &err) == -1) {
			fprintf(stderr, "tsi: error: --recipient '%s': %s\n",
			    a->recipients[i], err);
			goto out;
		}
	/* no recipient: this computer, as the capture step does */
	if (nids == 0 && !a->hardlink && strstr(sw, "/hardlink") == NULL) {
		if (load_identity(a, &ids[0]) == -1) {
			fprintf(stderr, "tsi: an encrypted store needs --recipient FILE|LINE "
			    "(or --identity DIR to encrypt to that identity)\n");
			goto out;
		}
		nids = 1;
	}
	o.root = a->root;
	o.store = a->store;
	o.computer = host;
	o.rcpt = ids;
	o.nrcpt = nids;
	o.packs = a->rules;
	o.npacks = a->nrules;
	o.switches = sw;
	o.all_users = a->all;
	o.hardlink = a->hardlink;
	o.verbose = a->verbose;
	r = state_capture(&o, log, &n, &err);
	if (r < 0) {
		fprintf(stderr, "tsi: error: %s\n", err);
		r = r == STATE_INVALID ? EXIT_USAGE : 1;
	} else {
		summary("captured", &n);
		r = n.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
	}
out:
	for (i = 0; i < nids; i++)
		identity_wipe(&ids[i]);
	free(sw);
	free(err);
	return r;
}

static int
overwrite_mode(const char *s, enum overwrite_mode *m)
{
	static const char *const names[] = { "rename", "skip", "overwrite", "newer" };
	int	i;

	for (i = 0; i < 4; i++)
		if (strcmp(s ? s : "rename", names[i]) == 0) {
			*m = (enum overwrite_mode)i;
			return 0;
		}
	fprintf(stderr, "tsi: error: --overwrite takes rename, skip, overwrite or newer, "
	    "not '%s'\n", s);
	return -1;
}

/* A hard-link store is a folder: it needs no identity. */
static int
is_hardlink_store(const char *store)
{
	struct stat	st;

	return stat(store, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
cli_restore(const struct state_args *a, const struct state_log *log)
{
	struct restore_opts	 o;
	struct state_counts	 n;
	struct identity		 id;
	char			*sw, *err = NULL;
	int			 r, have_id = 0;

	memset(&o, 0, sizeof o);
	if (need_store(a, "restore") == -1 || overwrite_mode(a->overwrite,
	    &o.overwrite) == -1 || (sw = switches(a)) == NULL)
		return EXIT_USAGE;
	if (!is_hardlink_store(a->store)) {
		if (load_identity(a, &id) == -1) {
			free(sw);
			return EXIT_USAGE;
		}
		have_id = 1;
		o.id = &id;
	}
	o.root = a->root;
	o.store = a->store;
	o.switches = sw;
	o.all_users = a->all;
	o.verbose = a->verbose;
	o.continue_on_error = 1;
	r = state_restore(&o, log, &n, &err);
	if (r == -1) {
		fprintf(stderr, "tsi: error: %s\n", err);
		r = 1;
	} else {
		summary("restored", &n);
		r = n.findings > 0 ? EXIT_FINDINGS : EXIT_OK;
	}
	if (have_id)
		identity_wipe(&id);
	free(sw);
	free(err);
	return r;
}

/* The commands that read a store: an identity unless it is a hard-link one. */
static int
cli_read(const char *sub, const struct state_args *a)
{
	struct identity	 id;
	int		 r, have_id = 0;

	if (need_store(a, sub) == -1)
		return EXIT_USAGE;
	if (!is_hardlink_store(a->store) && (a->identity != NULL ||
	    strcmp(sub, "verify") != 0)) {
		if (load_identity(a, &id) == -1)
			return EXIT_USAGE;
		have_id = 1;
	}
	if (strcmp(sub, "list") == 0)
		r = state_list(a->store, have_id ? &id : NULL, a->verbose);
	else if (strcmp(sub, "verify") == 0)
		r = state_verify(a->store, have_id ? &id : NULL);
	else if (a->to == NULL) {
		fprintf(stderr, "tsi: error: state extract needs --to DIR\n");
		r = EXIT_USAGE;
	} else
		r = state_extract(a->store, have_id ? &id : NULL, a->to, a->operands,
		    a->noperands);
	if (have_id)
		identity_wipe(&id);
	return r;
}

int
state_cli(const char *sub, const struct state_args *a)
{
	struct state_log	 log;
	struct state_counts	 n;
	char			*sw, *err = NULL;
	int			 tty = isatty(2), r;

	log.fn = say;
	log.ctx = &tty;
	log.stop = NULL;
	/* only capture and restore stop cleanly on a signal; the others keep
	 * the default, which ends them at once */
	if (strcmp(sub, "capture") == 0 || strcmp(sub, "restore") == 0)
		stop_catch_signals();
	if (strcmp(sub, "estimate") == 0) {
		if ((sw = switches(a)) == NULL)
			return EXIT_USAGE;
		r = state_estimate(a->root, a->rules, a->nrules, a->all, sw);
		free(sw);
		return r;
	}
	if (strcmp(sub, "explain") == 0) {
		if (a->noperands != 1) {
			fprintf(stderr, "tsi: error: explain takes one PATH, as seen inside "
			    "the root\n");
			return EXIT_USAGE;
		}
		return state_explain(a->root, a->operands[0], a->rules, a->nrules);
	}
	if (strcmp(sub, "capture") == 0)
		return cli_capture(a, &log);
	if (strcmp(sub, "restore") == 0)
		return cli_restore(a, &log);
	if (strcmp(sub, "undo") == 0) {
		if (need_store(a, sub) == -1)
			return EXIT_USAGE;
		if ((r = state_undo(a->root, a->store, &log, &n, &err)) == -1) {
			fprintf(stderr, "tsi: error: %s\n", err);
			free(err);
			return 1;
		}
		return r;	/* 1: something could not be put back */
	}
	return cli_read(sub, a);
}
