/* validate.c - `tsi validate`: every problem of every file in one pass */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../interp/engine.h"
#include "../migrate/migrate.h"
#include "../steps/steps.h"

/*
 * A rule pack rather than a sequence: a top-level "components:" or
 * "unconditional_exclude:" line and no "steps:" line.  A look at the text,
 * not a second parse: validate stays one pass over big sequences.  Only
 * regular files are looked at (a pipe can be read once).
 */
static int
is_rule_pack(const char *path)
{
	struct stat	 st;
	char		*text, *line;
	size_t		 len;
	int		 rules = 0, steps = 0;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    read_file(path, yaml_sequence_limits.max_bytes, &text, &len) == -1)
		return 0;
	for (line = text; line != NULL && !steps; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (str_has_prefix(line, "steps:"))
			steps = 1;
		else if (str_has_prefix(line, "components:") ||
		    str_has_prefix(line, "unconditional_exclude:"))
			rules = 1;
	}
	free(text);
	return rules && !steps;
}

int
cmd_validate(char **files, int nfiles, enum diag_format fmt,
    const char *vars_file, const struct seq_var *cli_vars, size_t ncli_vars)
{
	struct diag	 d;
	struct seq_var	*known = NULL;
	size_t		 nknown = 0, i;
	int		 f;

	diag_init(&d);
	if (vars_file != NULL && vars_file_load(vars_file, &known, &nknown, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		seq_vars_free(known, nknown);
		return EXIT_USAGE;
	}
	known = xreallocarray(known, nknown + ncli_vars + 1, sizeof *known);
	for (i = 0; i < ncli_vars; i++, nknown++) {
		known[nknown] = cli_vars[i];
		known[nknown].name = xstrdup(cli_vars[i].name);
		known[nknown].value = xstrdup(cli_vars[i].value);
	}
	for (f = 0; f < nfiles; f++) {
		struct sequence *seq;

		if (is_rule_pack(files[f])) {
			rules_check_file(files[f], &d);
			continue;
		}
		seq = sequence_load(files[f], &builtin_steps, &d, 0);
		if (seq != NULL) {
			sequence_check(seq, &builtin_steps, known, nknown, &d);
			ext_set_describe(seq->exts, &d);
		}
		sequence_free(seq);
	}
	diag_print(&d, fmt == DIAG_TEXT ? stderr : stdout, fmt);
	if (fmt == DIAG_TEXT)
		fprintf(stderr, "tsi: %s in %d file%s\n", diag_summary(&d), nfiles,
		    nfiles == 1 ? "" : "s");
	f = d.nerrors > 0 ? 1 : 0;
	diag_release(&d);
	seq_vars_free(known, nknown);
	return f;
}
