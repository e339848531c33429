/*
 * catalog.c - writing and parsing catalog lines; see catalog.h.
 */
#include "catalog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS_MAX	16
#define FRAMES_MAX_CAT	(UINT64_C(1) << 28)

static void
add_escaped(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\t')
			buf_adds(b, "\\t");
		else if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p == '\\')
			buf_adds(b, "\\\\");
		else if (*p < 0x20 || *p == 0x7f) {
			buf_adds(b, "\\x");
			buf_addch(b, hex[*p >> 4]);
			buf_addch(b, hex[*p & 15]);
		} else
			buf_addch(b, (char)*p);
	}
}

char *
cat_escape(const char *s)
{
	struct buf	b = BUF_INIT;

	buf_adds(&b, "");
	add_escaped(&b, s);
	return buf_detach(&b);
}

void
cat_add_field(struct buf *b, const char *key, const char *value)
{
	buf_adds(b, key);
	buf_addch(b, '\t');
	add_escaped(b, value);
	buf_addch(b, '\n');
}

void
cat_add_user(struct buf *b, const struct cat_user *u)
{
	buf_adds(b, "user\t");
	add_escaped(b, u->name);
	buf_addf(b, "\t%" PRIu64 "\t%" PRIu64 "\t", u->uid, u->gid);
	add_escaped(b, u->group);
	buf_addch(b, '\t');
	add_escaped(b, u->home);
	buf_addch(b, '\t');
	add_escaped(b, u->shell);
	buf_addch(b, '\t');
	add_escaped(b, u->gecos);
	buf_addch(b, '\n');
}

void
cat_add_entry(struct buf *b, const struct cat_entry *e)
{
	buf_addf(b, "entry\t%c\t%" PRIu64 "\t%" PRIu32 "\t%" PRIo32 "\t%" PRIu64 "\t%"
	    PRIu64 "\t", e->type, e->frame, e->off, e->mode, e->uid, e->gid);
	add_escaped(b, e->uname);
	buf_addch(b, '\t');
	add_escaped(b, e->gname);
	buf_addf(b, "\t%" PRIu64 "\t%" PRId64 ".%09" PRIu32 "\t%s\t%u\t", e->size,
	    e->mtime, e->mtime_ns, e->sha256[0] ? e->sha256 : "-", e->flags);
	add_escaped(b, e->path);
	buf_addch(b, '\t');
	add_escaped(b, e->link);
	if (e->meta != NULL && *e->meta != '\0') {
		buf_addch(b, '\t');
		add_escaped(b, e->meta);
	}
	buf_addch(b, '\n');
}

void
cat_add_end(struct buf *b, uint64_t entries, uint64_t bytes)
{
	buf_addf(b, "end\t%" PRIu64 "\t%" PRIu64 "\n", entries, bytes);
}

static int
hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undoes add_escaped in place; -1 on a bad escape. */
static int
unescape(char *s)
{
	char	*w = s;
	int	 hi, lo;

	for (; *s; s++) {
		if (*s != '\\') {
			*w++ = *s;
			continue;
		}
		switch (*++s) {
		case 't': *w++ = '\t'; break;
		case 'n': *w++ = '\n'; break;
		case '\\': *w++ = '\\'; break;
		case 'x':
			hi = hexdigit(s[1]);
			lo = hi >= 0 ? hexdigit(s[2]) : -1;
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*w++ = (char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			return -1;
		}
	}
	*w = '\0';
	return 0;
}

static int
number(const char *s, uint64_t max, uint64_t *out, int base)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
bad(char **err, const char *what)
{
	*err = xasprintf("a catalog line is damaged (%s)", what);
	return -1;
}

static int
parse_entry(char **f, int n, struct cat_entry *e, char **err)
{
	uint64_t	v, ns;
	char		*dot;
	int		 neg = 0;

	if ((n != 15 && n != 16) || strlen(f[1]) != 1 || strchr("flhd", f[1][0]) == NULL)
		return bad(err, "entry");
	e->type = f[1][0];
	if (number(f[2], FRAMES_MAX_CAT, &e->frame, 10) == -1 ||
	    number(f[3], UINT32_MAX, &v, 10) == -1)
		return bad(err, "position");
	e->off = (uint32_t)v;
	if (number(f[4], 07777, &v, 8) == -1)
		return bad(err, "mode");
	e->mode = (uint32_t)v;
	if (number(f[5], UINT32_MAX, &e->uid, 10) == -1 ||
	    number(f[6], UINT32_MAX, &e->gid, 10) == -1)
		return bad(err, "owner");
	if (number(f[9], INT64_MAX, &e->size, 10) == -1)
		return bad(err, "size");
	if (f[10][0] == '-')
		neg = 1, f[10]++;
	if ((dot = strchr(f[10], '.')) == NULL)
		return bad(err, "time");
	*dot = '\0';
	if (number(f[10], INT64_MAX, &v, 10) == -1 || number(dot + 1, 999999999, &ns, 10) == -1)
		return bad(err, "time");
	e->mtime = neg ? -(int64_t)v : (int64_t)v;
	e->mtime_ns = (uint32_t)ns;
	if (strcmp(f[11], "-") == 0)
		e->sha256[0] = '\0';
	else if (strlen(f[11]) == 64 && strspn(f[11], "0123456789abcdef") == 64)
		memcpy(e->sha256, f[11], 65);
	else
		return bad(err, "checksum");
	if (number(f[12], 255, &v, 10) == -1)
		return bad(err, "flags");
	e->flags = (unsigned)v;
	e->uname = f[7];
	e->gname = f[8];
	e->path = f[13];
	e->link = f[14][0] ? f[14] : NULL;
	e->meta = n == 16 && f[15][0] ? f[15] : NULL;
	if (e->path[0] == '\0')
		return bad(err, "empty path");
	return 0;
}

int
cat_parse(char *line, struct cat_line *l, char **err)
{
	char	*f[FIELDS_MAX], *p = line;
	int	 n = 0, i;

	memset(l, 0, sizeof *l);
	for (;;) {
		if (n == FIELDS_MAX)
			return bad(err, "too many fields");
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < n; i++)
		if (unescape(f[i]) == -1)
			return bad(err, "escape");
	if (strcmp(f[0], CATALOG_MAGIC) == 0) {
		if (n != 2 || strcmp(f[1], "1") != 0) {
			*err = xasprintf("the store's catalog has version '%s'; this tsi "
			    "reads version %d", n > 1 ? f[1] : "", CATALOG_VERSION);
			return -1;
		}
		l->kind = CAT_LINE_MAGIC;
	} else if (strcmp(f[0], "entry") == 0) {
		l->kind = CAT_LINE_ENTRY;
		return parse_entry(f, n, &l->entry, err);
	} else if (strcmp(f[0], "user") == 0) {
		if (n != 8 || f[1][0] == '\0' ||
		    number(f[2], UINT32_MAX, &l->user.uid, 10) == -1 ||
		    number(f[3], UINT32_MAX, &l->user.gid, 10) == -1)
			return bad(err, "user");
		l->kind = CAT_LINE_USER;
		l->user.name = f[1];
		l->user.group = f[4];
		l->user.home = f[5];
		l->user.shell = f[6];
		l->user.gecos = f[7];
	} else if (strcmp(f[0], "end") == 0) {
		if (n != 3 || number(f[1], UINT64_MAX, &l->entries, 10) == -1 ||
		    number(f[2], UINT64_MAX, &l->bytes, 10) == -1)
			return bad(err, "end");
		l->kind = CAT_LINE_END;
	} else if (n == 2) {
		l->kind = CAT_LINE_FIELD;
		l->key = f[0];
		l->value = f[1];
	} else
		return bad(err, "unknown line");
	return 0;
}
