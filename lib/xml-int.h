/*
 * xml-int.h - inside lib/xml*.c: a lexical pass over a document's bytes
 * before libxml2 reads them (xml-scan.c).
 *
 * libxml2 2.9 compares each attribute of a start tag with all the ones
 * before it, and looks namespaces up the same way, before any callback
 * sees the tag: 100,000 attributes in one tag (a 1 MB file) take minutes.
 * So the start tags are counted first, in the encodings where that can be
 * done on code units: UTF-8 and 8-bit encodings whose bytes below 0x80
 * are ASCII, and UTF-16.  Anything else (UCS-4, EBCDIC, ISO-2022-JP...)
 * is refused.
 */
#ifndef TSI_XML_INT_H
#define TSI_XML_INT_H

#include <stddef.h>

/* A document as code units: bytes, or UTF-16 units in either order. */
struct xml_units {
	const unsigned char	*s;
	size_t			 base;		/* bytes of a byte order mark */
	size_t			 n;		/* units after it */
	int			 width;		/* 1 or 2 */
	int			 be;		/* UTF-16BE */
};

/* Takes the encoding libxml2 will see from the first bytes: 0, or -1
 * with *why for UCS-4 and EBCDIC. */
int		 xml_units_init(struct xml_units *, const char *buf, size_t len,
		    const char **why);
/* The declaration's encoding="..." is one the pass can follow: 0; or,
 * with the name (NUL-terminated) and the index of its unit, -1 for one it
 * cannot, -2 for one that contradicts the first bytes (libxml2 would go
 * on in that one). */
int		 xml_units_encoding(const struct xml_units *, char name[64],
		    size_t *at);
/* The index of the '<' of the first start tag with more than max
 * attributes (its local name in name, "" when not plain ASCII), or
 * (size_t)-1.  The count is of '=' outside quotes, one an attribute in a
 * well-formed tag; the pass ends at a DOCTYPE (refused there). */
size_t		 xml_units_crowded_tag(const struct xml_units *, size_t max,
		    char name[64]);
/* Line and column (in characters, as libxml2 counts them) of unit i. */
void		 xml_units_loc(const struct xml_units *, size_t i, int *line,
		    int *col);

#endif
