/*
 * main.c - tsi's command line: argument parsing only; the work is done by
 * the engine (engine.h) and the commands of cli.h.
 */
#include <getopt.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../interp/engine.h"
#include "../migrate/migrate.h"
#include "../migrate/state.h"
#include "../smp/smp.h"
#include "../steps/steps.h"
#include "../store/store.h"

#include "../lib/defaults.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*help;
};

static const struct command *find_command(const char *);

static const char tsi_usage[] =
"usage: tsi COMMAND [ARGS]\n"
"\n"
"Declarative task sequences for endpoints, with ConfigMgr's semantics.\n"
"\n"
"commands:\n"
"  run FILE        run a task sequence (or --dry-run it)\n"
"  resume          go on with a run after a restart or an interruption\n"
"  discard         drop an unfinished run's journal\n"
"  validate FILE.. check sequences without running them\n"
"  import FILE     a ConfigMgr or MDT task sequence (XML) as a tsi sequence\n"
"  steps           list step types and their parameters\n"
"  schema          print the JSON Schema of sequence files\n"
"  state           user state: capture, restore, verify, list, extract, undo,\n"
"                  estimate, explain\n"
"  identity        this computer's keys for user-state stores\n"
"  smp             the State Migration Point's directory and administration\n"
"\n"
"exit codes of run and resume: 0 succeeded, 1 failed, 2 invalid input or\n"
"usage (nothing ran), 3 stopped for a restart (`tsi resume` goes on).\n"
"\n"
"`tsi COMMAND --help` tells more; `tsi --version` prints the version.\n";

static int
usage_error(const struct command *c, const char *fmt, const char *arg)
{
	fputs("tsi: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: %s\n", c->usage);
	return EXIT_USAGE;
}

static int
show_help(const struct command *c)
{
	printf("usage: %s\n\n%s", c->usage, c->help);
	return EXIT_OK;
}

/* --var NAME=VALUE */
static int
add_cli_var(struct run_opts *o, const char *arg)
{
	const char	*eq = strchr(arg, '=');
	struct seq_var	*v;

	if (eq == NULL || eq == arg)
		return -1;
	o->cli_vars = xreallocarray(o->cli_vars, o->ncli_vars + 1, sizeof *o->cli_vars);
	v = &o->cli_vars[o->ncli_vars++];
	memset(v, 0, sizeof *v);
	v->name = xstrndup(arg, (size_t)(eq - arg));
	v->value = xstrdup(eq + 1);
	v->loc.file = source_name("--var");
	return 0;
}

enum {
	OPT_VAR = 256, OPT_VARS_FILE, OPT_STATE_DIR, OPT_LOG_DIR, OPT_DRY_RUN,
	OPT_REBOOT, OPT_ROOT, OPT_FORCE, OPT_FORMAT, OPT_JSON, OPT_HELP,
	OPT_EXTENSION, OPT_RULES, OPT_ALL, OPT_DIR, OPT_NAME, OPT_STORE,
	OPT_RECIPIENT, OPT_IDENTITY, OPT_HARDLINK, OPT_OVERWRITE, OPT_TO,
	OPT_VERBOSE,
};

static const struct option all_options[] = {
	{ "var", required_argument, NULL, OPT_VAR },
	{ "vars-file", required_argument, NULL, OPT_VARS_FILE },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "reboot-command", required_argument, NULL, OPT_REBOOT },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "extension", required_argument, NULL, OPT_EXTENSION },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "recipient", required_argument, NULL, OPT_RECIPIENT },
	{ "identity", required_argument, NULL, OPT_IDENTITY },
	{ "hardlink", no_argument, NULL, OPT_HARDLINK },
	{ "overwrite", required_argument, NULL, OPT_OVERWRITE },
	{ "to", required_argument, NULL, OPT_TO },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

struct parsed {
	struct run_opts		 run;
	const char		*extensions[64];
	int			 nextensions;
	const char		*rules[64];
	int			 nrules;
	int			 all;
	const char		*dir;
	const char		*name;
	struct state_args	 st;
	enum diag_format	 format;
	int			 json;
	int			 help;
};

/*
 * Parses the options a command allows (a string of OPT_ codes); returns
 * the index of the first operand, or -1 after a usage message.
 */
static int
parse_options(const struct command *c, int argc, char **argv, const int *allowed,
    struct parsed *p)
{
	int	opt, i, ok;

	memset(p, 0, sizeof *p);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", all_options, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			p->help = 1;
			return optind;
		}
		for (ok = 0, i = 0; allowed[i] != 0; i++)
			ok |= allowed[i] == opt;
		if (opt == '?' || !ok) {
			usage_error(c, "unknown or misplaced option '%s'", argv[optind - 1]);
			return -1;
		}
		switch (opt) {
		case OPT_VAR:
			if (add_cli_var(&p->run, optarg) == -1) {
				usage_error(c, "--var takes NAME=VALUE, not '%s'", optarg);
				return -1;
			}
			break;
		case OPT_VARS_FILE:	p->run.vars_file = optarg; break;
		case OPT_STATE_DIR:	p->run.state_dir = optarg; break;
		case OPT_LOG_DIR:	p->run.log_dir = optarg; break;
		case OPT_DRY_RUN:	p->run.dry_run = 1; break;
		case OPT_REBOOT:	p->run.reboot_command = optarg; break;
		case OPT_ROOT:		p->run.root = optarg; break;
		case OPT_FORCE:		p->run.force = 1; break;
		case OPT_JSON:		p->json = 1; break;
		case OPT_ALL:		p->all = 1; break;
		case OPT_DIR:		p->dir = optarg; break;
		case OPT_NAME:		p->name = optarg; break;
		case OPT_STORE:		p->st.store = optarg; break;
		case OPT_IDENTITY:	p->st.identity = optarg; break;
		case OPT_HARDLINK:	p->st.hardlink = 1; break;
		case OPT_OVERWRITE:	p->st.overwrite = optarg; break;
		case OPT_TO:		p->st.to = optarg; break;
		case OPT_VERBOSE:	p->st.verbose = 1; break;
		case OPT_RECIPIENT:
			if (p->st.nrecipients == STATE_ARGS_MAX) {
				usage_error(c, "at most 16 recipients%s", "");
				return -1;
			}
			p->st.recipients[p->st.nrecipients++] = optarg;
			break;
		case OPT_RULES:
			if (p->nrules == 64) {
				usage_error(c, "at most 64 rule packs%s", "");
				return -1;
			}
			p->rules[p->nrules++] = optarg;
			break;
		case OPT_EXTENSION:
			if (p->nextensions == 64) {
				usage_error(c, "at most 64 extensions%s", "");
				return -1;
			}
			p->extensions[p->nextensions++] = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				p->format = DIAG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				p->format = DIAG_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				p->format = DIAG_SARIF;
			else {
				usage_error(c, "--format takes text, json or sarif, not "
				    "'%s'", optarg);
				return -1;
			}
			break;
		}
	}
	return optind;
}

static void
parsed_release(struct parsed *p)
{
	seq_vars_free(p->run.cli_vars, p->run.ncli_vars);
}

static int
cmd_run(int argc, char **argv)
{
	static const int allowed[] = { OPT_VAR, OPT_VARS_FILE, OPT_STATE_DIR,
	    OPT_LOG_DIR, OPT_DRY_RUN, OPT_REBOOT, OPT_ROOT, 0 };
	const struct command	*c = find_command("run");
	struct parsed		 p;
	int			 i, r;

	/* options may follow FILE: let getopt permute for this command */
	if ((i = parse_options(c, argc, argv, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		r = show_help(c);
	else if (argc - i != 1)
		r = usage_error(c, "run takes one sequence file%s", "");
	else {
		p.run.sequence = argv[i];
		p.run.steps = &builtin_steps;
		p.run.watch = &status_watch;
		stop_catch_signals();
		r = engine_run(&p.run);
	}
	parsed_release(&p);
	return r;
}

static int
cmd_resume(int argc, char **argv)
{
	static const int allowed[] = { OPT_STATE_DIR, OPT_LOG_DIR, OPT_REBOOT,
	    OPT_FORCE, 0 };
	const struct command	*c = find_command("resume");
	struct parsed		 p;
	int			 i, r;

	if ((i = parse_options(c, argc, argv, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		r = show_help(c);
	else if (i != argc)
		r = usage_error(c, "resume takes no operands ('%s')", argv[i]);
	else {
		p.run.steps = &builtin_steps;
		p.run.watch = &status_watch;
		stop_catch_signals();
		r = engine_resume(&p.run);
	}
	parsed_release(&p);
	return r;
}

static int
cmd_discard(int argc, char **argv)
{
	static const int allowed[] = { OPT_STATE_DIR, 0 };
	const struct command	*c = find_command("discard");
	struct parsed		 p;
	int			 i, r;

	if ((i = parse_options(c, argc, argv, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		r = show_help(c);
	else if (i != argc)
		r = usage_error(c, "discard takes no operands ('%s')", argv[i]);
	else
		r = engine_discard(&p.run);
	parsed_release(&p);
	return r;
}

static int
cmd_validate_main(int argc, char **argv)
{
	static const int allowed[] = { OPT_FORMAT, OPT_VAR, OPT_VARS_FILE, 0 };
	const struct command	*c = find_command("validate");
	struct parsed		 p;
	int			 i, r;

	if ((i = parse_options(c, argc, argv, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		r = show_help(c);
	else if (i == argc)
		r = usage_error(c, "validate takes one or more sequence files%s", "");
	else
		r = cmd_validate(argv + i, argc - i, p.format, p.run.vars_file,
		    p.run.cli_vars, p.run.ncli_vars);
	parsed_release(&p);
	return r;
}

/* The system directories' extensions and those given with --extension. */
static int
load_extensions(struct parsed *p, struct ext_set *exts)
{
	struct diag	d;
	int		i, r = 0;

	diag_init(&d);
	ext_set_init(exts, &builtin_steps);
	if (ext_set_load_system(exts, &d) == -1)
		r = -1;
	for (i = 0; i < p->nextensions; i++)
		if (ext_set_load(exts, p->extensions[i], NULL, &d) == -1)
			r = -1;
	if (d.nerrors > 0 || d.nwarnings > 0)
		diag_print(&d, stderr, DIAG_TEXT);
	diag_release(&d);
	return r;
}

/* steps and schema: no operands, the extensions, one printer. */
static int
cmd_describe(const char *name, int argc, char **argv, const int *allowed,
    void (*print)(FILE *, const struct ext_set *, int json))
{
	const struct command	*c = find_command(name);
	struct parsed		 p;
	struct ext_set		 exts;
	int			 i, r = EXIT_OK;

	if ((i = parse_options(c, argc, argv, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		return show_help(c);
	if (i != argc)
		return usage_error(c, "unexpected operand '%s'", argv[i]);
	if (load_extensions(&p, &exts) == -1)
		r = EXIT_USAGE;
	else
		print(stdout, &exts, p.json);
	ext_set_release(&exts);
	return r;
}

static void
print_steps(FILE *fp, const struct ext_set *exts, int json)
{
	if (json)
		print_steps_json(fp, exts);
	else
		print_steps_text(fp, exts);
}

static void
print_schema_any(FILE *fp, const struct ext_set *exts, int json)
{
	(void)json;
	print_schema(fp, exts);
}

static int
cmd_steps(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_EXTENSION, 0 };

	return cmd_describe("steps", argc, argv, allowed, print_steps);
}

static int
cmd_schema(int argc, char **argv)
{
	static const int allowed[] = { OPT_EXTENSION, 0 };

	return cmd_describe("schema", argc, argv, allowed, print_schema_any);
}

/* tsi identity init|show */
static int
cmd_identity(int argc, char **argv)
{
	static const int allowed[] = { OPT_DIR, OPT_NAME, 0 };
	const struct command	*c = find_command("identity");
	const char		*sub = argc > 1 ? argv[1] : NULL, *dir;
	struct parsed		 p;
	struct identity		 id;
	char			 host[65] = "computer", *err = NULL, *line;
	int			 i, r = EXIT_OK;

	if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return sub ? show_help(c) : usage_error(c, "identity needs a subcommand%s", "");
	if (strcmp(sub, "init") != 0 && strcmp(sub, "show") != 0)
		return usage_error(c, "unknown identity subcommand '%s'", sub);
	if ((i = parse_options(c, argc - 1, argv + 1, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		return show_help(c);
	if (i != argc - 1)
		return usage_error(c, "unexpected operand '%s'", argv[i + 1]);
	dir = p.dir ? p.dir : DEFAULT_IDENTITY_DIR;
	if (strcmp(sub, "init") == 0) {
		gethostname(host, sizeof host - 1);
		if (identity_init(dir, p.name ? p.name : host, &err) == -1) {
			fprintf(stderr, "tsi: error: %s\n", err);
			free(err);
			return EXIT_USAGE;
		}
		printf("tsi: made the identity in '%s'; its public half is %s/identity.pub\n",
		    dir, dir);
	}
	if (identity_load(dir, &id, &err) == -1) {
		fprintf(stderr, "tsi: error: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	line = xasprintf("%s/identity.pub", dir);
	if (read_file(line, 16384, &err, NULL) == 0) {
		fputs(err, stdout);
		free(err);
	} else {
		fprintf(stderr, "tsi: error: cannot read '%s'\n", line);
		r = EXIT_USAGE;
	}
	free(line);
	identity_wipe(&id);
	return r;
}

/* tsi state SUBCOMMAND: options here, the work in migrate/state-cli.c. */
static int
cmd_state(int argc, char **argv)
{
	static const int allowed[] = { OPT_ROOT, OPT_RULES, OPT_ALL, OPT_STORE,
	    OPT_RECIPIENT, OPT_IDENTITY, OPT_HARDLINK, OPT_OVERWRITE, OPT_TO,
	    OPT_VERBOSE, 0 };
	static const char *const subs[] = { "explain", "estimate", "capture", "restore",
	    "verify", "list", "extract", "undo" };
	const struct command	*c = find_command("state");
	struct parsed		 p;
	const char		*sub = argc > 1 ? argv[1] : NULL, *s;
	size_t			 k;
	int			 i;

	if (sub == NULL || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return sub ? show_help(c) : usage_error(c, "state needs a subcommand%s", "");
	for (k = 0; k < ARRAY_SIZE(subs) && strcmp(sub, subs[k]) != 0; k++)
		;
	if (k == ARRAY_SIZE(subs)) {
		s = str_suggest(sub, subs, ARRAY_SIZE(subs));
		fprintf(stderr, "tsi: error: unknown state subcommand '%s'%s%s%s\n", sub,
		    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
		fprintf(stderr, "usage: %s\n", c->usage);
		return EXIT_USAGE;
	}
	if ((i = parse_options(c, argc - 1, argv + 1, allowed, &p)) == -1)
		return EXIT_USAGE;
	if (p.help)
		return show_help(c);
	p.st.root = p.run.root ? p.run.root : "/";
	p.st.rules = p.rules;
	p.st.nrules = (size_t)p.nrules;
	p.st.all = p.all;
	p.st.operands = argv + i + 1;
	p.st.noperands = (size_t)(argc - i - 1);
	return state_cli(sub, &p.st);
}

static const struct command commands[] = {
	{ "run", cmd_run,
	  "tsi run FILE [--var NAME=VALUE]... [--vars-file FILE] [--state-dir DIR]\n"
	  "               [--log-dir DIR] [--root DIR] [--dry-run] [--reboot-command CMD]",
	  "Runs the task sequence FILE.  Before every step the journal in the state\n"
	  "dir is written, so that `tsi resume` can go on after a restart or a crash.\n"
	  "\n"
	  "  --var NAME=VALUE      set a variable (repeatable); beats --vars-file,\n"
	  "                        which beats the sequence's own 'variables'\n"
	  "  --vars-file FILE      YAML map of NAME: VALUE (or NAME: {value, secret})\n"
	  "  --state-dir DIR       journal and lock (default " DEFAULT_STATE_DIR ")\n"
	  "  --log-dir DIR         tsi.log, events.jsonl, report.json\n"
	  "                        (default " DEFAULT_LOG_DIR ")\n"
	  "  --root DIR            the system the sequence works on (default /);\n"
	  "                        file_exists, folder_exists and os look under it\n"
	  "  --dry-run             evaluate conditions and print what each step would\n"
	  "                        do; change nothing, write no journal or logs\n"
	  "  --reboot-command CMD  run by restart steps and exit code 3010\n"
	  "                        (default '" DEFAULT_REBOOT_COMMAND "')\n"
	  "\n"
	  "exit codes: 0 succeeded, 1 failed, 2 invalid input or usage (nothing ran),\n"
	  "3 stopped for a restart, 130 stopped by a signal (the journal is kept).\n" },
	{ "resume", cmd_resume,
	  "tsi resume [--state-dir DIR] [--log-dir DIR] [--reboot-command CMD] [--force]",
	  "Goes on with the run journaled in the state dir: after a restart, at the\n"
	  "next step; after a crash or kill, the interrupted step runs again unless it\n"
	  "says rerun_on_resume: false, in which case it fails.  A sequence file that\n"
	  "changed since the run started is refused unless --force.  Exit codes as run.\n" },
	{ "discard", cmd_discard,
	  "tsi discard [--state-dir DIR]",
	  "Drops the journal of an unfinished run so that `tsi run` can start anew.\n" },
	{ "validate", cmd_validate_main,
	  "tsi validate FILE... [--format text|json|sarif] [--var NAME=VALUE]...\n"
	  "                     [--vars-file FILE]",
	  "Checks sequence files without running anything and reports every problem\n"
	  "as FILE:LINE:COL: error: MESSAGE (text on stderr; json and sarif on stdout).\n"
	  "Variables given with --var and --vars-file count as defined.\n"
	  "\n"
	  "exit codes: 0 no errors (warnings allowed), 1 errors found, 2 usage.\n" },
	{ "import", cmd_import, import_usage, import_help },
	{ "steps", cmd_steps,
	  "tsi steps [--json] [--extension PATH]...",
	  "Lists the step types with their parameters (and the variable each one\n"
	  "falls back to): the built-ins, the Lua extensions in the system\n"
	  "directories ($TSI_EXTENSION_DIRS, a list separated by ':'; default\n"
	  "PREFIX/share/tsi/steps, PREFIX being where tsi is installed, and\n"
	  SITE_EXT_DIR ") and those given with --extension; then the keys every\n"
	  "node takes, with their limits and defaults, and the variables that\n"
	  "have a type.\n" },
	{ "state", cmd_state, state_usage, state_help },
	{ "identity", cmd_identity,
	  "tsi identity init [--dir DIR] [--name NAME]\n"
	  "       tsi identity show [--dir DIR]",
	  "This computer's identity: an X25519 key pair that user-state stores are\n"
	  "encrypted to, and a P-256 key pair for the State Migration Point's protocol.\n"
	  "\n"
	  "  init          make the keys in DIR (0700; identity.key 0600) and print the\n"
	  "                public line (DIR/identity.pub); never replaces an identity\n"
	  "  show          print the public line\n"
	  "  --dir DIR     default " DEFAULT_IDENTITY_DIR "\n"
	  "  --name NAME   default: the host name\n" },
	{ "smp", cmd_smp, smp_usage, smp_help },
	{ "schema", cmd_schema,
	  "tsi schema [--extension PATH]...",
	  "Prints the JSON Schema of sequence files (schemas/sequence.schema.json),\n"
	  "with the step types of the same extensions as `tsi steps`.\n" },
};

static const struct command *
find_command(const char *name)
{
	size_t	i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command	*c;
	const char		*names[ARRAY_SIZE(commands)], *s;
	size_t			 i;
	int			 r;

	if (argc < 2) {
		fputs(tsi_usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = find_command(argv[2])) != NULL)
			return show_help(c);
		fputs(tsi_usage, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("tsi %s\n", TSI_VERSION);
		return EXIT_OK;
	}
	if ((c = find_command(argv[1])) == NULL) {
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			names[i] = commands[i].name;
		s = str_suggest(argv[1], names, ARRAY_SIZE(commands));
		fprintf(stderr, "tsi: error: unknown command '%s'%s%s%s\n", argv[1],
		    s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
		fputs("`tsi --help` lists the commands\n", stderr);
		return EXIT_USAGE;
	}
	r = c->fn(argc - 1, argv + 1);
	sources_free();
	return r;
}
