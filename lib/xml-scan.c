/* xml-scan.c - the lexical pass before libxml2; see xml-int.h */
#include "xml-int.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#define NONE	SIZE_MAX

static unsigned
unit(const struct xml_units *u, size_t i)
{
	const unsigned char	*p;

	if (i >= u->n)
		return 0;
	p = u->s + u->base + i * (size_t)u->width;
	if (u->width == 1)
		return p[0];
	return u->be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

/* The units at i spell lit (ASCII). */
static int
at(const struct xml_units *u, size_t i, const char *lit)
{
	for (; *lit != '\0'; i++, lit++)
		if (unit(u, i) != (unsigned char)*lit)
			return 0;
	return 1;
}

/* The first i >= from, below to, where lit starts; NONE if none. */
static size_t
find(const struct xml_units *u, size_t from, size_t to, const char *lit)
{
	size_t	i;

	for (i = from; i < to && i < u->n; i++)
		if (unit(u, i) == (unsigned char)lit[0] && at(u, i, lit))
			return i;
	return NONE;
}

static int
is_blank(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
xml_units_init(struct xml_units *u, const char *buf, size_t len,
    const char **why)
{
	const unsigned char	*s = (const unsigned char *)buf;
	static const unsigned char odd[][4] = {
		{ 0, 0, 0, '<' }, { '<', 0, 0, 0 }, { 0, 0, '<', 0 },
		{ 0, '<', 0, 0 }, { 0x4c, 0x6f, 0xa7, 0x94 },
	};
	size_t			 i;

	memset(u, 0, sizeof *u);
	u->s = s;
	u->width = 1;
	/* as libxml2's xmlDetectCharEncoding() guesses, in its order */
	for (i = 0; len >= 4 && i < sizeof odd / sizeof odd[0]; i++)
		if (memcmp(s, odd[i], 4) == 0) {
			*why = i < 4 ? "UCS-4" : "EBCDIC";
			return -1;
		}
	if (len >= 4 && memcmp(s, "<\0?\0", 4) == 0)
		u->width = 2;
	else if (len >= 4 && memcmp(s, "\0<\0?", 4) == 0) {
		u->width = 2;
		u->be = 1;
	} else if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		u->base = 3;
	else if (len >= 2 && (memcmp(s, "\xfe\xff", 2) == 0 ||
	    memcmp(s, "\xff\xfe", 2) == 0)) {
		u->width = 2;
		u->be = s[0] == 0xfe;
		u->base = 2;
	}
	u->n = (len - u->base) / (size_t)u->width;
	return 0;
}

/* Encodings whose code units below 0x80 are always ASCII characters:
 * 1; 0 for others; -1 for one that contradicts the first bytes. */
static int
encoding_ok(const struct xml_units *u, const char *name)
{
	static const char *const ok8[] = {
		"US-ASCII", "ASCII", "ISO-LATIN-1", "LATIN1", "LATIN-1",
	};
	const char	*p;
	size_t		 i;

	/* libxml2 refuses UTF-16 in an 8-bit file, keeps to the order of a
	 * UTF-16 one, and never switches for UTF-8; but a UTF-16LE or BE
	 * label turns it to that order, whatever came before */
	if (strcasecmp(name, "UTF-16") == 0 || strcasecmp(name, "UTF16") == 0 ||
	    strcasecmp(name, "UTF-8") == 0 || strcasecmp(name, "UTF8") == 0)
		return 1;
	if (strcasecmp(name, "UTF-16LE") == 0)
		return u->width == 2 && !u->be ? 1 : -1;
	if (strcasecmp(name, "UTF-16BE") == 0)
		return u->width == 2 && u->be ? 1 : -1;
	if (u->width == 2)		/* it would switch to any other */
		return -1;
	for (i = 0; i < sizeof ok8 / sizeof ok8[0]; i++)
		if (strcasecmp(name, ok8[i]) == 0)
			return 1;
	/* ISO-8859-N, ISO8859-N, ISO_8859-N; WINDOWS-125N, CP125N */
	if (strncasecmp(name, "ISO", 3) == 0 && (name[3] == '-' || name[3] == '_'))
		p = name + 4;
	else if (strncasecmp(name, "ISO", 3) == 0)
		p = name + 3;
	else
		p = NULL;
	if (p != NULL && strncmp(p, "8859-", 5) == 0 && p[5] >= '1' && p[5] <= '9' &&
	    (p[6] == '\0' || (p[5] == '1' && p[6] >= '0' && p[6] <= '6' &&
	    p[7] == '\0')))
		return 1;
	if (strncasecmp(name, "WINDOWS-", 8) == 0)
		p = name + 8;
	else if (strncasecmp(name, "CP", 2) == 0)
		p = name + 2;
	else
		return 0;
	return strncmp(p, "125", 3) == 0 && p[3] >= '0' && p[3] <= '8' && p[4] == '\0';
}

int
xml_units_encoding(const struct xml_units *u, char name[64], size_t *at_unit)
{
	size_t		 end, i, n = 0;
	unsigned	 q, c;

	name[0] = '\0';
	if (!at(u, 0, "<?xml") || !is_blank(unit(u, 5)) ||
	    (end = find(u, 5, u->n, "?>")) == NONE ||
	    (i = find(u, 5, end, "encoding")) == NONE)
		return 0;
	/* EncodingDecl: S 'encoding' S? '=' S? quoted EncName; a declaration
	 * that is not one is libxml2's error, and it switches to nothing */
	for (i += 8; is_blank(unit(u, i)); i++)
		;
	if (unit(u, i++) != '=')
		return 0;
	while (is_blank(unit(u, i)))
		i++;
	if ((q = unit(u, i)) != '"' && q != '\'')
		return 0;
	*at_unit = ++i;
	for (; i < end && (c = unit(u, i)) != q; i++) {
		if (c >= 0x80 || c < 0x20 || n == 63)
			return 0;
		name[n++] = (char)c;
	}
	name[n] = '\0';
	if (n == 0 || i >= end)
		return 0;
	switch (encoding_ok(u, name)) {
	case 1:	 return 0;
	case 0:	 return -1;
	default: return -2;
	}
}

static int
is_name_char(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
}

/* The local name of the tag at i, when it is plain ASCII. */
static void
tag_name(const struct xml_units *u, size_t i, char name[64])
{
	size_t		 n = 0;
	unsigned	 c;

	for (i++; is_name_char(c = unit(u, i)); i++) {
		if (c == ':')
			n = 0;
		else if (n < 63)
			name[n++] = (char)c;
	}
	if (c >= 0x80)
		n = 0;
	name[n] = '\0';
}

size_t
xml_units_crowded_tag(const struct xml_units *u, size_t max, char name[64])
{
	size_t		 i = 0, j, count;
	unsigned	 c, q;

	while (i < u->n) {
		if (unit(u, i) != '<') {
			i++;
			continue;
		}
		c = unit(u, i + 1);
		if (c == '!' || c == '?') {
			if (at(u, i, "<!--"))
				j = find(u, i + 4, u->n, "-->");
			else if (at(u, i, "<![CDATA["))
				j = find(u, i + 9, u->n, "]]>");
			else if (c == '?')
				j = find(u, i + 2, u->n, "?>");
			else			/* a DOCTYPE: refused where it starts */
				return NONE;
			if (j == NONE)
				return NONE;
			i = j + 2;
			continue;
		}
		if (c == '/') {			/* an end tag holds no attribute */
			i += 2;
			continue;
		}
		for (j = i + 1, q = 0, count = 0; j < u->n; j++) {
			c = unit(u, j);
			if (q != 0) {
				if (c == q)
					q = 0;
			} else if (c == '"' || c == '\'')
				q = c;
			else if (c == '=' && ++count > max) {
				tag_name(u, i, name);
				return i;
			} else if (c == '>' || c == '<')
				break;
		}
		i = j;
	}
	return NONE;
}

void
xml_units_loc(const struct xml_units *u, size_t i, int *line, int *col)
{
	size_t		 k;
	unsigned	 c;

	*line = 1;
	*col = 1;
	for (k = 0; k < i && k < u->n; k++) {
		c = unit(u, k);
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if (u->width == 1 ? (c & 0xc0) != 0x80 : (c & 0xfc00) != 0xdc00)
			(*col)++;
	}
}
