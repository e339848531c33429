/* import.c - `tsi import`: a ConfigMgr or MDT task sequence as a tsi sequence */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../import/import.h"
#include "../interp/engine.h"
#include "../steps/steps.h"

/* Exit code: written, but some steps or conditions could not be converted
 * (they are unported: they fail when run), as `tsi state` says 4 for a
 * capture done with findings. */
#define EXIT_UNPORTED	4

const char import_usage[] =
"tsi import FILE [-o OUT] [--from configmgr|mdt|auto] [--json]\n"
"                   [--disable-unported]";

const char import_help[] =
"Reads a ConfigMgr task sequence (an export of its Sequence, or an\n"
"SmsTaskSequencePackage) or an MDT ts.xml and writes it as a tsi sequence:\n"
"groups and steps in order, names, descriptions, disabled,\n"
"continue_on_error, success codes, timeouts, retries, variables and\n"
"conditions.  Run Command Line, Set Variable, Restart, the four user-state\n"
"steps and MDT's ZTIUserState.wsf /capture and /restore become tsi steps.\n"
"A step type or condition tsi has no equivalent for becomes 'unported':\n"
"it keeps the original type and properties, `tsi validate` warns about it,\n"
"and it fails when it runs.  What is kept only approximately is marked\n"
"'# PORT:' in the sequence.  The sequence written validates with no error.\n"
"\n"
"  -o, --output OUT     write the sequence to OUT (atomically) instead of\n"
"                       standard output\n"
"  --from SOURCE        configmgr, mdt, or auto (default: from the file)\n"
"  --json               the report as JSON on standard output (with the\n"
"                       sequence in it when there is no -o)\n"
"  --disable-unported   unported steps are disabled instead of failing\n"
"\n"
"The report (standard error) has one line per variable, group, step and\n"
"condition: FILE:LINE:COL: exact|approximate|not convertible: KIND 'NAME':\n"
"why, then the counts.  XML is read with limits (16 MiB, 64 levels,\n"
"200,000 elements); a DTD, an entity or an external reference is refused.\n"
"\n"
"exit codes: 0 written, everything converted (exactly or approximately);\n"
"4 written, with unported steps or conditions; 1 could not write the\n"
"output; 2 usage or input that is not a task sequence.\n";

static int
import_usage_error(const char *fmt, const char *arg)
{
	fputs("tsi: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: %s\n", import_usage);
	return EXIT_USAGE;
}

static int
same_file(const char *a, const char *b)
{
	char	*ra = realpath(a, NULL), *rb = realpath(b, NULL);
	int	 same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;

	free(ra);
	free(rb);
	return same;
}

/* OUT atomically when it is (or will be) a regular file; a device or a
 * pipe (-o /dev/stdout) is written as it is.  0 or -1 with errno. */
static int
write_output(const char *out, const char *text)
{
	struct stat	 st;
	FILE		*f;
	int		 saved;

	if (stat(out, &st) == -1 || S_ISREG(st.st_mode))
		return write_file_atomic(out, text, strlen(text), 0644);
	if ((f = fopen(out, "w")) == NULL)
		return -1;
	if (fputs(text, f) == EOF) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	return fclose(f) == EOF ? -1 : 0;
}

static void
print_json(const char *file, const char *out, const char *yaml,
    const struct import_report *rep)
{
	struct buf	b = BUF_INIT;
	struct json	j;

	json_init(&j, &b, 1);
	json_obj_begin(&j, NULL);
	json_str(&j, "file", file);
	json_str(&j, "output", out);
	import_report_json(rep, &j);
	if (out == NULL)
		json_str(&j, "sequence", yaml);
	json_obj_end(&j);
	fputs(b.data, stdout);
	fputc('\n', stdout);
	buf_release(&b);
}

int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "disable-unported", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct import_opts	 o = { TS_AUTO, 0 };
	struct import_report	 rep;
	struct diag		 d;
	const char		*out = NULL;
	char			*yaml;
	int			 ch, json = 0, r;
	size_t			 k, unported = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':	out = optarg; break;
		case 'j':	json = 1; break;
		case 'd':	o.disable_unported = 1; break;
		case 'h':
			printf("usage: %s\n\n%s", import_usage, import_help);
			return EXIT_OK;
		case 'f':
			if (strcmp(optarg, "configmgr") == 0)
				o.from = TS_CONFIGMGR;
			else if (strcmp(optarg, "mdt") == 0)
				o.from = TS_MDT;
			else if (strcmp(optarg, "auto") == 0)
				o.from = TS_AUTO;
			else
				return import_usage_error("--from takes configmgr, mdt or "
				    "auto, not '%s'", optarg);
			break;
		case ':':
			return import_usage_error("%s needs a value", argv[optind - 1]);
		default:
			return import_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return import_usage_error(optind == argc ? "import takes one task "
		    "sequence file%s" : "import takes one file, not '%s' too",
		    optind == argc ? "" : argv[optind + 1]);
	if (out != NULL && same_file(argv[optind], out))
		return import_usage_error("-o '%s' is the file being imported", out);
	diag_init(&d);
	yaml = ts_import(argv[optind], &o, &builtin_steps, &rep, &d);
	diag_print(&d, stderr, DIAG_TEXT);
	diag_release(&d);
	if (yaml == NULL) {
		import_report_release(&rep);
		return EXIT_USAGE;
	}
	for (k = 0; k < CK_KINDS; k++)
		unported += rep.counts[k][CONV_NONE];
	r = unported > 0 ? EXIT_UNPORTED : EXIT_OK;
	if (out != NULL && write_output(out, yaml) == -1) {
		fprintf(stderr, "tsi: error: cannot write '%s': %s\n", out,
		    strerror(errno));
		r = 1;
	} else if (out == NULL && !json)
		fputs(yaml, stdout);
	if (json)
		print_json(argv[optind], r == 1 ? NULL : out, yaml, &rep);
	else
		import_report_print(&rep, stderr);
	if (!json && r != 1 && out != NULL)
		fprintf(stderr, "wrote %s\n", out);
	free(yaml);
	import_report_release(&rep);
	return r;
}
