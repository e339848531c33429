/*
 * cli.h - the commands behind main.c's argument parsing.
 */
#ifndef TSI_CLI_H
#define TSI_CLI_H

#include <stdio.h>

#include "../lib/diag.h"
#include "../interp/seq.h"

/* validate.c: 0 no errors, 1 errors found, 2 usage. */
int	cmd_validate(char **files, int nfiles, enum diag_format,
	    const char *vars_file, const struct seq_var *cli_vars, size_t ncli_vars);

/* import.c: `tsi import`; its usage and help for `tsi --help`. */
int	cmd_import(int argc, char **argv);
extern const char import_usage[], import_help[];

/* smp.c: `tsi smp`; its usage and help for `tsi --help`. */
int	cmd_smp(int argc, char **argv);
extern const char smp_usage[], smp_help[];

/* state.c: `tsi state`'s usage and help (state_cli() is migrate/state.h's). */
extern const char state_usage[], state_help[];

/* schema.c */
/* Built-in step types and those of exts (may be NULL). */
void	print_steps_text(FILE *, const struct ext_set *);
void	print_steps_json(FILE *, const struct ext_set *);
void	print_schema(FILE *, const struct ext_set *);

#endif
