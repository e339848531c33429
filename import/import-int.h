/*
 * import-int.h - what the files of import/ share (read only inside it).
 *
 * A conversion walks the XML once (convert.c): the sequence, its variables,
 * its groups and steps; conditions.c turns <condition> trees into tsi
 * conditions and actions.c each step type into a tsi step.  Every node
 * collects notes (what it approximates) and ends as one report item.
 */
#ifndef TSI_IMPORT_INT_H
#define TSI_IMPORT_INT_H

#include "import.h"
#include "yout.h"
#include "../lib/xml.h"

/* A step the compiler or the checks refused where it stood, with why. */
struct refusal {
	const struct xml_elem	*elem;
	char			*why;
};

struct conv {
	const char			*file;		/* as given, for imported_from */
	const struct import_opts	*opts;
	enum ts_source			 source;
	const struct step_table		*table;
	struct import_report		*rep;
	struct refusal			*refused;
	size_t				 nrefused;
	/* the steps written, to find the one a check refused by its line */
	struct written {
		const struct xml_elem	*elem;
		struct yv		*yv;
	}				*written;
	size_t				 nwritten;
	struct yv			*yv_doc;	/* the last one written */
	size_t				 unported_tests;	/* conditions made unported */
};

/* convert.c: one conversion of seq (root is the document) into YAML text
 * (caller frees); c->written and c->yv_doc say where each step went. */
char	*convert_once(struct conv *, const struct xml_elem *root,
	    const struct xml_elem *seq);
/* The document's <sequence> (inner: a tree read from escaped text, which
 * the caller frees), or NULL after an error. */
const struct xml_elem *find_sequence(const struct xml_elem *root,
	    struct xml_elem **inner, struct diag *);
enum ts_source guess_source(const struct xml_elem *root,
	    const struct xml_elem *seq, char **why);

/* What a node approximates, one line each: "PORT:" comments and the
 * report item's why. */
struct notes {
	char	**v;
	size_t	  n;
};

void	notes_add(struct notes *, const char *, ...) PRINTF_LIKE(2, 3);
void	notes_release(struct notes *);
/* Each note as a "PORT: ..." comment above v. */
void	notes_comment(const struct notes *, struct yv *v);
/* The notes joined with "; " (caller frees), or NULL when none. */
char	*notes_join(const struct notes *);

void	conv_item(struct conv *, enum conv_result, enum conv_kind, const char *name,
	    const struct xml_elem *, const char *why);

/* The text of an element's child <variable name="NAME">, or NULL. */
const char	*field(const struct xml_elem *, const char *name);
/* A step's property from its <defaultVarList>, by property (or variable)
 * name; NULL when absent. */
const char	*prop(const struct xml_elem *step, const char *property);
/* Text without leading and trailing white space (caller frees). */
char		*trimmed(const char *);
/* "C:\...", "\\server\share", "%ScriptRoot%\x": a Windows path. */
int		 windows_path(const char *);
/* A command line only Windows runs (cscript, cmd /c, .exe, .wsf...). */
int		 windows_command(const char *);
/* A name whose value may be a password (never copied, never logged). */
int		 secret_name(const char *);

/* conditions.c: a <condition> as a tsi condition; NULL when it holds
 * nothing.  Each expression and operator is a report item. */
struct yv	*convert_condition(struct conv *, const struct xml_elem *cond,
		    const char *node_name);

/* actions.c: the step's type and with: into step; returns CONV_EXACT,
 * CONV_APPROX (notes say what) or CONV_NONE (step is now unported). */
enum conv_result convert_action(struct conv *, const struct xml_elem *elem,
		    struct yv *step, struct notes *);
/* Makes step an unported one, keeping type, command line and properties. */
void		 make_unported(struct conv *, const struct xml_elem *elem,
		    struct yv *step, const char *reason);

#endif
