/* xml.c - libxml2's SAX2 callbacks to a small element tree; see xml.h */
#include "xml.h"
#include "xml-int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

const struct xml_limits xml_ts_limits = {
	.max_bytes = 16u << 20,		/* the biggest real task sequence is 52 KB */
	.max_depth = 64,
	.max_elements = 200000,
	.max_attrs = 64,
	.max_text = 4u << 20,
};

/* An open element: its kids' array and its text while they grow. */
struct frame {
	struct xml_elem	*elem;
	size_t		 alloc;
	struct buf	 text;
};

struct reader {
	xmlParserCtxtPtr	  ctxt;
	const char		 *file;		/* interned */
	const struct xml_limits	 *lim;
	struct diag		 *diag;
	struct xml_elem		 *root;
	struct frame		 *stack;
	size_t			  nstack;	/* frames allocated */
	int			  depth;	/* frames in use */
	size_t			  elements;
	int			  failed;	/* an error is reported: the rest is noise */
};

/* Where the parser is now (libxml2 counts columns in characters). */
static struct loc
here(const struct reader *r)
{
	struct loc	l = { r->file, 0, 0 };

	if (r->ctxt != NULL && r->ctxt->input != NULL) {
		l.line = xmlSAX2GetLineNumber(r->ctxt);
		l.col = xmlSAX2GetColumnNumber(r->ctxt);
	}
	if (l.line <= 0)
		l.line = 1;
	if (l.col <= 0)
		l.col = 1;
	return l;
}

/* Our own error: reported once, and the parser stops at once. */
static void PRINTF_LIKE(3, 4)
fail(struct reader *r, const struct loc *l, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (!r->failed) {
		va_start(ap, fmt);
		msg = xvasprintf(fmt, ap);
		va_end(ap);
		diag_error(r->diag, l, "%s", msg);
		free(msg);
		r->failed = 1;
	}
	xmlStopParser(r->ctxt);
}

/* libxml2's own errors, from the parser and (ctxt-less) the encoders. */
static void
on_error(void *data, xmlErrorPtr e)
{
	struct reader	*r = data;
	struct loc	 l;
	char		*msg;
	size_t		 i, len;

	if (r == NULL || e == NULL || e->level < XML_ERR_ERROR)
		return;
	/*
	 * libxml2 2.9 goes on after a fatal error, callbacks off: nothing it
	 * would find matters, and its work is not bounded.  xmlStopParser()
	 * would empty the input under the function that raised the error
	 * (xmlSwitchEncoding() then crashes): the parser is marked at its
	 * end instead, which its loops check.
	 */
	if (r->ctxt != NULL) {
		r->ctxt->instate = XML_PARSER_EOF;
		r->ctxt->disableSAX = 1;
	}
	if (r->failed)
		return;
	r->failed = 1;
	l = here(r);
	if (e->line > 0) {
		l.line = e->line;
		l.col = e->int2 > 0 ? e->int2 : 1;
	}
	/* "Input is not proper UTF-8, indicate encoding !\nBytes: ...\n" */
	msg = xstrdup(e->message != NULL ? e->message : "unknown error");
	len = strlen(msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	for (i = 0; i < len; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	diag_error(r->diag, &l, "XML: %s", len > 0 ? msg : "unknown error");
	free(msg);
}

/* What libxml2 would print itself (xmlGenericError) goes nowhere. */
static void
on_generic(void *data, const char *fmt, ...)
{
	(void)data;
	(void)fmt;
}

static void
elem_add_kid(struct frame *f, struct xml_elem *kid)
{
	struct xml_elem	*e = f->elem;

	if (e->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 8;
		e->kids = xreallocarray(e->kids, f->alloc, sizeof *e->kids);
	}
	e->kids[e->n++] = kid;
}

/* Closes the innermost open element: its text moves into it. */
static void
frame_pop(struct reader *r)
{
	struct frame	*f = &r->stack[--r->depth];

	f->elem->text = buf_detach(&f->text);
	f->elem = NULL;
	f->alloc = 0;
}

/*
 * An attribute value from SAX2 is a slice of libxml2's buffer, not
 * NUL-terminated.  Without entity substitution (XML_PARSE_NOENT, which
 * stays off) libxml2 writes every '&' of the value, from &amp; or &#38;,
 * as "&#38;" for a tree builder to decode; other entities are refused
 * before they get there, so each '&' in the slice starts "&#38;".
 */
static size_t
attr_len(const xmlChar *v, const xmlChar *end)
{
	size_t	len = (size_t)(end - v);
	const xmlChar *p;

	for (p = v; p < end; p++)
		if (*p == '&' && end - p >= 5 && memcmp(p, "&#38;", 5) == 0)
			len -= 4;
	return len;
}

static char *
attr_value(const xmlChar *v, const xmlChar *end)
{
	char	*s = xmalloc(attr_len(v, end) + 1), *o = s;

	while (v < end) {
		if (*v == '&' && end - v >= 5 && memcmp(v, "&#38;", 5) == 0) {
			*o++ = '&';
			v += 5;
		} else
			*o++ = (char)*v++;
	}
	*o = '\0';
	return s;
}

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nnamespaces, const xmlChar **namespaces,
    int nattrs, int ndefaulted, const xmlChar **attrs)
{
	struct reader	*r = ctx;
	struct xml_elem	*e;
	struct frame	*f;
	struct loc	 l = here(r);
	size_t		 i;

	(void)prefix;
	(void)uri;
	(void)namespaces;
	(void)ndefaulted;
	if (r->failed)
		return;
	if (++r->elements > r->lim->max_elements) {
		fail(r, &l, "XML document has more than %zu elements",
		    r->lim->max_elements);
		return;
	}
	if (r->depth >= r->lim->max_depth) {
		fail(r, &l, "XML nesting deeper than %d elements",
		    r->lim->max_depth);
		return;
	}
	/* namespace declarations are attributes too, if dropped ones */
	if ((size_t)nattrs + (size_t)nnamespaces > r->lim->max_attrs) {
		fail(r, &l, "XML element <%s> has more than %zu attributes",
		    (const char *)localname, r->lim->max_attrs);
		return;
	}
	/* each attribute: localname, prefix, URI, value, end of value */
	for (i = 0; i < (size_t)nattrs; i++)
		if (attr_len(attrs[5 * i + 3], attrs[5 * i + 4]) > r->lim->max_text) {
			fail(r, &l, "XML attribute '%s' of <%s> is longer than "
			    "%zu bytes", (const char *)attrs[5 * i],
			    (const char *)localname, r->lim->max_text);
			return;
		}

	e = xcalloc(1, sizeof *e);
	e->name = xstrdup((const char *)localname);
	e->loc = l;
	if (nattrs > 0) {
		e->attrs = xcalloc((size_t)nattrs, sizeof *e->attrs);
		for (i = 0; i < (size_t)nattrs; i++) {
			e->attrs[i].name = xstrdup((const char *)attrs[5 * i]);
			e->attrs[i].value = attr_value(attrs[5 * i + 3],
			    attrs[5 * i + 4]);
		}
		e->nattrs = (size_t)nattrs;
	}
	if (r->depth == 0)
		r->root = e;
	else {
		e->parent = r->stack[r->depth - 1].elem;
		elem_add_kid(&r->stack[r->depth - 1], e);
	}
	if ((size_t)r->depth == r->nstack) {
		r->nstack = r->nstack ? 2 * r->nstack : 16;
		r->stack = xreallocarray(r->stack, r->nstack, sizeof *r->stack);
	}
	f = &r->stack[r->depth++];
	f->elem = e;
	f->alloc = 0;
	buf_init(&f->text, r->lim->max_text);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct reader	*r = ctx;

	(void)localname;
	(void)prefix;
	(void)uri;
	if (!r->failed && r->depth > 0)
		frame_pop(r);
}

/* Character data and CDATA, kept as they are (callers trim). */
static void
on_text(void *ctx, const xmlChar *s, int len)
{
	struct reader	*r = ctx;
	struct frame	*f;
	struct loc	 l;

	if (r->failed || r->depth == 0 || len <= 0)
		return;
	f = &r->stack[r->depth - 1];
	if (buf_add(&f->text, s, (size_t)len) == -1) {
		l = here(r);
		fail(r, &l, "XML text of <%s> is longer than %zu bytes",
		    f->elem->name, r->lim->max_text);
	}
}

/*
 * The DOCTYPE is refused when libxml2 has read its name and external id,
 * before the '[' of an internal subset: no entity gets declared, no
 * external subset is loaded.
 */
static void
on_doctype(void *ctx, const xmlChar *name, const xmlChar *publicid,
    const xmlChar *systemid)
{
	struct reader	*r = ctx;
	struct loc	 l = here(r);

	(void)name;
	(void)publicid;
	(void)systemid;
	fail(r, &l, "a document type declaration (DTD) is not accepted: "
	    "tsi import reads task sequences, which have none");
}

/* The handlers below are never reached with the DTD refused; they make
 * sure nothing could be declared or resolved if one were. */
static void
on_external_subset(void *ctx, const xmlChar *name, const xmlChar *publicid,
    const xmlChar *systemid)
{
	on_doctype(ctx, name, publicid, systemid);
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *publicid, const xmlChar *systemid, xmlChar *content)
{
	struct reader	*r = ctx;
	struct loc	 l = here(r);

	(void)type;
	(void)publicid;
	(void)systemid;
	(void)content;
	fail(r, &l, "XML entity declaration '%s' is not accepted",
	    (const char *)name);
}

static xmlParserInputPtr
on_resolve_entity(void *ctx, const xmlChar *publicid, const xmlChar *systemid)
{
	struct reader	*r = ctx;
	struct loc	 l = here(r);

	(void)publicid;
	fail(r, &l, "XML external entity '%s' is not accepted",
	    systemid ? (const char *)systemid : "");
	return NULL;
}

static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	struct reader	*r = ctx;
	struct loc	 l = here(r);
	xmlEntityPtr	 ent;
	size_t		 len = strlen((const char *)name) + 2;

	/* libxml2 looks the predefined ones up itself, first */
	if ((ent = xmlGetPredefinedEntity(name)) != NULL)
		return ent;
	/* the parser stands after the ';' of "&name;" */
	if (l.col > (int)len)
		l.col -= (int)len;
	fail(r, &l, "XML entity '&%s;' is not defined: only &lt; &gt; &amp; "
	    "&apos; &quot; and character references (&#10;) are accepted",
	    (const char *)name);
	return NULL;
}

static xmlEntityPtr
on_get_parameter_entity(void *ctx, const xmlChar *name)
{
	struct reader	*r = ctx;
	struct loc	 l = here(r);

	fail(r, &l, "XML parameter entity '%%%s;' is not accepted",
	    (const char *)name);
	return NULL;
}

void
xml_free(struct xml_elem *top)
{
	struct xml_elem	*e = top, *up;
	size_t		 i;

	/* without recursion: down to a leaf, free it, back up by parent */
	while (e != NULL) {
		if (e->n > 0) {
			e = e->kids[--e->n];
			continue;
		}
		up = e == top ? NULL : e->parent;
		for (i = 0; i < e->nattrs; i++) {
			free(e->attrs[i].name);
			free(e->attrs[i].value);
		}
		free(e->attrs);
		free(e->kids);
		free(e->name);
		free(e->text);
		free(e);
		e = up;
	}
}

#define ENCODINGS	"tsi import reads UTF-8, UTF-16 and 8-bit encodings " \
			"(ISO-8859-*, windows-125*)"

/*
 * The start tags are counted before libxml2 reads them (xml-int.h).  The
 * first one with too many attributes is never given to libxml2: what
 * comes before it is, to the '<', without an end, so that an error there
 * is still the first one told.
 */
static int
prescan(struct reader *r, const char *buf, size_t len, size_t *upto,
    struct loc *crowded, char name[64])
{
	struct xml_units	 u;
	struct loc		 l = { r->file, 1, 1 };
	const char		*why;
	size_t			 i;

	*upto = len;
	if (xml_units_init(&u, buf, len, &why) == -1)
		return diag_error(r->diag, &l, "XML: %s documents are not "
		    "accepted: " ENCODINGS, why);
	switch (xml_units_encoding(&u, name, &i)) {
	case -1:
		xml_units_loc(&u, i, &l.line, &l.col);
		return diag_error(r->diag, &l, "XML: the encoding '%s' is not "
		    "accepted: " ENCODINGS, name);
	case -2:
		xml_units_loc(&u, i, &l.line, &l.col);
		return diag_error(r->diag, &l, "XML: the encoding '%s' is not the "
		    "document's: its first bytes say %s", name, u.width == 1 ?
		    "UTF-8 or 8-bit" : u.be ? "UTF-16BE" : "UTF-16LE");
	}
	if ((i = xml_units_crowded_tag(&u, r->lim->max_attrs, name)) != SIZE_MAX) {
		*crowded = l;
		xml_units_loc(&u, i, &crowded->line, &crowded->col);
		*upto = u.base + (i + 1) * (size_t)u.width;
	}
	return 0;
}

static struct xml_elem *
xml_parse(const char *file, const char *buf, size_t len,
    const struct xml_limits *lim, struct diag *d)
{
	struct reader		 r;
	xmlSAXHandler		 sax;
	xmlParserCtxtPtr	 ctxt;
	xmlStructuredErrorFunc	 old_serror;
	xmlGenericErrorFunc	 old_generic;
	void			*old_serror_ctx, *old_generic_ctx;
	struct loc		 crowded;
	char			 name[64];
	size_t			 upto;

	memset(&r, 0, sizeof r);
	r.file = file;
	r.lim = lim;
	r.diag = d;
	if (len > lim->max_bytes || len > INT_MAX) {
		struct loc l = { file, 0, 0 };

		diag_error(d, &l, "file is too large (%zu bytes; the limit is %zu)",
		    len, lim->max_bytes < INT_MAX ? lim->max_bytes : (size_t)INT_MAX);
		return NULL;
	}
	if (len == 0) {
		struct loc l = { file, 1, 1 };

		diag_error(d, &l, "file is empty");
		return NULL;
	}
	if (prescan(&r, buf, len, &upto, &crowded, name) == -1)
		return NULL;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.ignorableWhitespace = on_text;
	sax.cdataBlock = on_text;
	sax.internalSubset = on_doctype;
	sax.externalSubset = on_external_subset;
	sax.entityDecl = on_entity_decl;
	sax.resolveEntity = on_resolve_entity;
	sax.getEntity = on_get_entity;
	sax.getParameterEntity = on_get_parameter_entity;
	sax.serror = on_error;

	xmlInitParser();		/* idempotent; never cleaned up here */
	/* errors without a parser (encoders) would go to stderr */
	old_serror = xmlStructuredError;
	old_serror_ctx = xmlStructuredErrorContext;
	old_generic = xmlGenericError;
	old_generic_ctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(&r, on_error);
	xmlSetGenericErrorFunc(NULL, on_generic);

	if (upto == len) {
		if ((ctxt = xmlCreateMemoryParserCtxt(buf, (int)len)) != NULL) {
			/* the context owns a whole xmlSAXHandler and frees it */
			memcpy(ctxt->sax, &sax, sizeof sax);
			ctxt->userData = &r;
		}
	} else				/* it copies sax */
		ctxt = xmlCreatePushParserCtxt(&sax, &r, buf, (int)upto, NULL);
	if (ctxt == NULL)
		fatal("libxml2: cannot make a parser (out of memory)");
	r.ctxt = ctxt;
	/* no network, and none of NOENT, DTDLOAD, DTDATTR, HUGE, XINCLUDE */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET);
	if (upto == len)
		xmlParseDocument(ctxt);
	else
		xmlParseChunk(ctxt, NULL, 0, 0);

	xmlSetStructuredErrorFunc(old_serror_ctx, old_serror);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	if (!r.failed && upto < len) {
		if (name[0] != '\0')
			diag_error(d, &crowded, "XML element <%s> has more than %zu "
			    "attributes", name, lim->max_attrs);
		else
			diag_error(d, &crowded, "XML start tag has more than %zu "
			    "attributes", lim->max_attrs);
		r.failed = 1;
	}
	if (!r.failed && (!ctxt->wellFormed || r.root == NULL || r.depth != 0)) {
		struct loc l = here(&r);

		diag_error(d, &l, "XML: the document is not well-formed");
		r.failed = 1;
	}
	r.ctxt = NULL;
	xmlFreeParserCtxt(ctxt);

	while (r.depth > 0)		/* a partial tree */
		frame_pop(&r);
	free(r.stack);
	if (r.failed) {
		xml_free(r.root);
		return NULL;
	}
	return r.root;
}

/* The quoted line would be noise: UTF-16 (or what is refused). */
static int
is_utf16(const char *buf, size_t len)
{
	struct xml_units	 u;
	const char		*why;

	return xml_units_init(&u, buf, len, &why) == -1 || u.width == 2;
}

struct xml_elem *
xml_read_mem(const char *name, const char *buf, size_t len,
    const struct xml_limits *lim, struct diag *d)
{
	const char	*file;

	if (len <= lim->max_bytes && !is_utf16(buf, len))
		file = source_intern(name, buf, len);
	else
		file = source_name(name);
	return xml_parse(file, buf, len, lim, d);
}

struct xml_elem *
xml_read_file(const char *path, const struct xml_limits *lim, struct diag *d)
{
	struct xml_elem	*root;
	struct stat	 st;
	const char	*file = source_name(path);
	struct loc	 l = { file, 0, 0 };
	char		*text;
	size_t		 len;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		diag_error(d, &l, "cannot read: %s", strerror(errno));
		return NULL;
	}
	/* a file too large is refused before a byte of it is read */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size > lim->max_bytes) {
		close(fd);
		diag_error(d, &l, "file is too large (%jd bytes; the limit is %zu)",
		    (intmax_t)st.st_size, lim->max_bytes);
		return NULL;
	}
	if (read_fd(fd, lim->max_bytes, &text, &len) == -1) {
		if (errno == EFBIG)
			diag_error(d, &l, "file is too large (the limit is %zu bytes)",
			    lim->max_bytes);
		else
			diag_error(d, &l, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (is_utf16(text, len)) {
		root = xml_parse(file, text, len, lim, d);
		free(text);
		return root;
	}
	/* the registry keeps the text for quotes; it may hold an older one */
	file = source_adopt(path, text, len);
	text = (char *)source_text(file, &len);
	return xml_parse(file, text, len, lim, d);
}

const char *
xml_attr(const struct xml_elem *e, const char *name)
{
	size_t	i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < e->nattrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0)
			return e->attrs[i].value;
	return NULL;
}

struct xml_elem *
xml_child(const struct xml_elem *e, const char *name)
{
	size_t	i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < e->n; i++)
		if (strcmp(e->kids[i]->name, name) == 0)
			return e->kids[i];
	return NULL;
}
