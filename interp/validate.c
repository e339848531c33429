/* validate.c - `tsi validate`: every problem of every file in one pass */
#include "cli.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "engine.h"
#include "../migrate/migrate.h"

/* A YAML mapping with components or unconditional_exclude and no steps. */
static int
is_rule_pack(const char *path)
{
	struct diag	 d;
	struct node	*root;
	struct stat	 st;
	int		 r;

	/* a pipe can be read once: only regular files are looked at twice */
	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return 0;
	diag_init(&d);
	root = yaml_load_file(path, &yaml_sequence_limits, &d);
	r = root != NULL && node_get(root, "steps") == NULL &&
	    (node_get(root, "components") != NULL ||
	    node_get(root, "unconditional_exclude") != NULL);
	node_free(root);
	diag_release(&d);
	return r;
}

int
cmd_validate(char **files, int nfiles, enum diag_format fmt,
    const char *vars_file, const struct seq_var *cli_vars, size_t ncli_vars)
{
	struct diag	 d;
	struct vars	 known;
	struct seq_var	*fv = NULL;
	size_t		 nfv = 0, i;
	int		 f;

	diag_init(&d);
	vars_init(&known);
	if (vars_file != NULL && vars_file_load(vars_file, &fv, &nfv, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		return EXIT_USAGE;
	}
	for (i = 0; i < nfv; i++)
		vars_set(&known, fv[i].name, fv[i].value, 0);
	for (i = 0; i < ncli_vars; i++)
		vars_set(&known, cli_vars[i].name, cli_vars[i].value, 0);
	for (f = 0; f < nfiles; f++) {
		struct sequence *seq;

		if (is_rule_pack(files[f])) {
			rules_check_file(files[f], &d);
			continue;
		}
		seq = sequence_load(files[f], &d, 0);

		if (seq != NULL) {
			sequence_check_vars(seq, &known, &d);
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
	vars_release(&known);
	seq_vars_free(fv, nfv);
	return f;
}
