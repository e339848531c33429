/*
 * xml.h - a bounded XML reader: a document as a small tree of elements that
 * keep their positions, for tsi import (ConfigMgr and MDT task sequences).
 *
 * libxml2 reads the bytes (encodings, well-formedness); its SAX callbacks
 * build this tree under tsi's own limits: file size, nesting depth, number
 * of elements and attributes, size of a text.  A document type declaration
 * is refused where it starts, before any declaration in it is read, so no
 * entity is ever defined, let alone expanded or fetched; a reference to an
 * entity other than the five predefined ones and character references is
 * an error; nothing is ever read from the network or another file.  The
 * start tags are counted before libxml2 sees them (its attribute checks
 * are quadratic), so a document must be in UTF-8, UTF-16 or an 8-bit
 * encoding whose bytes below 0x80 are ASCII (ISO-8859-*, windows-125*).
 *
 * A tree is owned by whoever read it and freed with xml_free() on its root.
 * Comments and processing instructions are dropped; namespace prefixes are
 * dropped from names (the task-sequence formats use none that matter).
 */
#ifndef TSI_XML_H
#define TSI_XML_H

#include <stddef.h>

#include "diag.h"

struct xml_attr {
	char		*name;
	char		*value;		/* entities and character references resolved */
};

struct xml_elem {
	char		 *name;		/* local name, without a namespace prefix */
	struct loc	  loc;		/* where the start tag is (its end, as libxml2 tells) */
	struct xml_attr	 *attrs;
	size_t		  nattrs;
	char		 *text;		/* the character data and CDATA directly inside,
					 * concatenated; "" when there is none */
	struct xml_elem	**kids;		/* child elements, in document order */
	size_t		  n;
	struct xml_elem	 *parent;	/* NULL for the root */
};

struct xml_limits {
	size_t	max_bytes;		/* the whole file */
	int	max_depth;		/* nesting of elements; the root is at depth 1 */
	size_t	max_elements;
	size_t	max_attrs;		/* on one element */
	size_t	max_text;		/* one element's text, or one attribute value */
};

/* For task sequences: 16 MiB, depth 64, 200,000 elements, 64 attributes,
 * 4 MiB of text. */
extern const struct xml_limits xml_ts_limits;

/*
 * Reads a file (or a buffer, named name in messages).  Returns the root
 * element, or NULL after adding errors to d: "FILE:LINE:COL: error: ..." for
 * a malformed document, a limit passed (which one, and its value), a DTD or
 * an entity; a file that cannot be read.  A file larger than max_bytes is
 * refused before it is read.
 */
struct xml_elem	*xml_read_file(const char *path, const struct xml_limits *,
		    struct diag *);
struct xml_elem	*xml_read_mem(const char *name, const char *buf, size_t len,
		    const struct xml_limits *, struct diag *);
void		 xml_free(struct xml_elem *);

/* The value of an attribute (exact name), or NULL. */
const char	*xml_attr(const struct xml_elem *, const char *name);
/* The first child element with that name (exact), or NULL. */
struct xml_elem	*xml_child(const struct xml_elem *, const char *name);

#endif
