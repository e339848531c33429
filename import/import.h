/*
 * import.h - tsi import: a ConfigMgr or MDT task sequence (XML) brought
 * over as a tsi sequence (YAML), with a report of what was converted
 * exactly, approximately, or not at all.
 *
 * The structure stays: groups and steps in order, names, descriptions,
 * disabled, continue_on_error, success codes, timeouts, retries and
 * conditions.  What has no tsi equivalent is never dropped silently: a
 * step becomes an `unported` step that keeps its type, command line and
 * properties and fails when it runs (or is disabled, with
 * disable_unported); a condition becomes an `unported` test that fails its
 * node; a property or attribute that tsi cannot honour is a "PORT:"
 * comment above its node and an approximate item in the report.
 *
 * The sequence written is checked with the compiler and `tsi validate`'s
 * checks before it is returned: a step they refuse where it stands
 * becomes unported with their message, so the result validates with no
 * error.
 */
#ifndef TSI_IMPORT_H
#define TSI_IMPORT_H

#include <stdio.h>

#include "../lib/diag.h"
#include "../lib/json.h"
#include "../interp/step.h"

enum ts_source {
	TS_AUTO,
	TS_CONFIGMGR,
	TS_MDT,
};

enum conv_result {
	CONV_EXACT,
	CONV_APPROX,
	CONV_NONE,		/* not convertible: unported */
	CONV_RESULTS
};

enum conv_kind {
	CK_SEQUENCE,
	CK_VARIABLE,
	CK_GROUP,
	CK_STEP,
	CK_CONDITION,
	CK_KINDS
};

struct conv_item {
	enum conv_result	 result;
	enum conv_kind		 kind;
	char			*name;		/* the node's name, a variable's... */
	struct loc		 loc;		/* in the XML */
	char			*why;		/* what was approximated or not converted */
	size_t			 seq;		/* order of recording */
};

struct import_report {
	enum ts_source		 source;	/* as read (never TS_AUTO) */
	char			*source_why;	/* "it has an SmsTaskSequencePackage root" */
	struct conv_item	*items;
	size_t			 n, alloc;
	size_t			 counts[CK_KINDS][CONV_RESULTS];
};

struct import_opts {
	enum ts_source	 from;
	int		 disable_unported;	/* unported steps disabled, not failing */
};

/*
 * Reads the XML at path and returns the YAML text of the sequence (caller
 * frees), filling rep; or NULL after adding errors to d (a file that is
 * not XML, not a task sequence, or passes a limit).  table is what the
 * output is checked against.
 */
char	*ts_import(const char *path, const struct import_opts *,
	    const struct step_table *, struct import_report *, struct diag *);
void	 import_report_release(struct import_report *);
/* Every item, then the counts, for people (stderr). */
void	 import_report_print(const struct import_report *, FILE *);
/* The report as the members of a JSON object. */
void	 import_report_json(const struct import_report *, struct json *);
const char *ts_source_name(enum ts_source);	/* "ConfigMgr", "MDT" */

#endif
