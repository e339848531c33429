/* yout.c - see yout.h */
#include "yout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum yv_kind { YV_STR, YV_RAW, YV_MAP, YV_LIST };

struct yv {
	enum yv_kind	  kind;
	char		 *s;		/* YV_STR, YV_RAW */
	struct yv	**kids;		/* a map's values, a list's items */
	char		**keys;		/* a map's keys */
	size_t		  n, alloc;
	char		**comments;
	size_t		  ncomments;
	int		  block;
	int		  first_line, last_line;	/* where yv_write put it */
};

/* The text and the line it has reached (lines are counted as they go). */
struct ywriter {
	struct buf	*b;
	size_t		 counted;
	int		 line;
};

static int
cur_line(struct ywriter *w)
{
	for (; w->counted < w->b->len; w->counted++)
		if (w->b->data[w->counted] == '\n')
			w->line++;
	return w->line;
}

static size_t	wide_break(const unsigned char *);
static void	write_key(struct buf *, const char *);

#define FLOW_WIDTH	72	/* a flow map or list longer than this is a block */

static struct yv *
yv_new(enum yv_kind kind)
{
	struct yv	*v = xcalloc(1, sizeof *v);

	v->kind = kind;
	return v;
}

struct yv *
yv_str(const char *s)
{
	struct yv	*v = yv_new(YV_STR);

	v->s = xstrdup(s != NULL ? s : "");
	return v;
}

struct yv *
yv_strf(const char *fmt, ...)
{
	struct yv	*v = yv_new(YV_STR);
	va_list		 ap;

	va_start(ap, fmt);
	v->s = xvasprintf(fmt, ap);
	va_end(ap);
	return v;
}

struct yv *
yv_int(long long n)
{
	struct yv	*v = yv_new(YV_RAW);

	v->s = xasprintf("%lld", n);
	return v;
}

struct yv *
yv_bool(int b)
{
	struct yv	*v = yv_new(YV_RAW);

	v->s = xstrdup(b ? "true" : "false");
	return v;
}

struct yv *
yv_map(void)
{
	return yv_new(YV_MAP);
}

struct yv *
yv_list(void)
{
	return yv_new(YV_LIST);
}

static void
grow(struct yv *c)
{
	if (c->n < c->alloc)
		return;
	c->alloc = c->alloc ? c->alloc * 2 : 4;
	c->kids = xreallocarray(c->kids, c->alloc, sizeof *c->kids);
	if (c->kind == YV_MAP)
		c->keys = xreallocarray(c->keys, c->alloc, sizeof *c->keys);
}

struct yv *
yv_set(struct yv *map, const char *key, struct yv *v)
{
	grow(map);
	map->keys[map->n] = xstrdup(key);
	map->kids[map->n++] = v;
	return v;
}

struct yv *
yv_push(struct yv *list, struct yv *v)
{
	grow(list);
	list->kids[list->n++] = v;
	return v;
}

void
yv_comment(struct yv *v, const char *fmt, ...)
{
	va_list	 ap;
	char	*line, *p;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	for (p = line; *p != '\0'; p++) {	/* one line: nothing can end it */
		size_t n = wide_break((unsigned char *)p);

		if (n > 0) {
			memset(p, ' ', n);
			p += n - 1;
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	v->comments = xreallocarray(v->comments, v->ncomments + 1, sizeof *v->comments);
	v->comments[v->ncomments++] = line;
}

void
yv_block(struct yv *v)
{
	v->block = 1;
}

size_t
yv_len(const struct yv *v)
{
	return v->n;
}

const char *
yv_text(const struct yv *v)
{
	return v != NULL && v->s != NULL ? v->s : "";
}

struct yv *
yv_take(struct yv *map, const char *key)
{
	struct yv	*v;
	size_t		 i;

	for (i = 0; map->keys != NULL && i < map->n; i++) {
		if (strcmp(map->keys[i], key) != 0)
			continue;
		v = map->kids[i];
		free(map->keys[i]);
		memmove(map->keys + i, map->keys + i + 1, (map->n - i - 1) * sizeof *map->keys);
		memmove(map->kids + i, map->kids + i + 1, (map->n - i - 1) * sizeof *map->kids);
		map->n--;
		return v;
	}
	return NULL;
}

struct yv *
yv_list_take(struct yv *list, size_t i)
{
	struct yv	*v = list->kids[i];

	memmove(list->kids + i, list->kids + i + 1, (list->n - i - 1) * sizeof *list->kids);
	list->n--;
	return v;
}

struct yv *
yv_get(const struct yv *map, const char *key)
{
	size_t	i;

	for (i = 0; map->keys != NULL && i < map->n; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->kids[i];
	return NULL;
}

void
yv_free(struct yv *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		yv_free(v->kids[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	for (i = 0; i < v->ncomments; i++)
		free(v->comments[i]);
	free(v->comments);
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

/*
 * Length of a code point at p that YAML reads as a line break or a
 * control character although it is not ASCII (C1 controls, U+0085 NEL,
 * U+2028, U+2029), else 0: such text is never plain, single-quoted or in
 * a comment, where it would end a line.
 */
static size_t
wide_break(const unsigned char *p)
{
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
		return 3;
	return 0;
}

/* Words a YAML 1.1 reader would take for something else than text. */
static int
looks_typed(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
	};
	double	d;
	size_t	i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (str_ieq(s, words[i]))
			return 1;
	return str_to_num(s, &d) == 0 || strchr("0123456789.+-", s[0]) != NULL;
}

/* Text that reads back as itself without quotes, in block and flow. */
static int
plain_ok(const char *s)
{
	const unsigned char	*p;
	size_t			 len = strlen(s);

	if (len == 0 || looks_typed(s) || s[0] == ' ' || s[len - 1] == ' ' ||
	    strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) != NULL || s[len - 1] == ':')
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || strchr(",[]{}\\\"'", *p) != NULL ||
		    wide_break(p))
			return 0;
		if ((*p == ':' && p[1] == ' ') || (*p == ' ' && p[1] == '#'))
			return 0;
	}
	return 1;
}

/* Only printable characters (and UTF-8): single quotes can hold it. */
static int
printable(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f || wide_break(p))
			return 0;
	return 1;
}

/* Lines of text with tabs at most, no trailing spaces: a literal block. */
static int
block_ok(const char *s)
{
	const unsigned char	*p;

	size_t			 len = strlen(s);

	/* one final newline at most: "|" keeps one, "|-" none */
	if (strchr(s, '\n') == NULL || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' ||
	    (len >= 2 && s[len - 1] == '\n' && s[len - 2] == '\n'))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f || wide_break(p))
			return 0;
		if ((*p == ' ' || *p == '\t') && (p[1] == '\n' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

static void
write_double_quoted(struct buf *b, const char *s)
{
	const unsigned char	*p;

	buf_addch(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':	buf_adds(b, "\\\""); break;
		case '\\':	buf_adds(b, "\\\\"); break;
		case '\n':	buf_adds(b, "\\n"); break;
		case '\t':	buf_adds(b, "\\t"); break;
		case '\r':	buf_adds(b, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_addf(b, "\\x%02x", *p);
			else if (wide_break(p) == 2) {
				buf_addf(b, "\\x%02x", p[1]);
				p++;
			} else if (wide_break(p) == 3) {
				buf_addf(b, "\\u%04x", 0x2000 | (p[2] == 0xa8 ? 0x28 : 0x29));
				p += 2;
			} else
				buf_addch(b, (char)*p);
		}
	}
	buf_addch(b, '"');
}

static void
write_scalar(struct buf *b, const struct yv *v, int indent, int flow)
{
	const char	*s = v->s, *p;
	size_t		 len = strlen(s), trailing = 0;

	if (v->kind == YV_RAW || plain_ok(s)) {
		buf_adds(b, s);
		return;
	}
	if (!flow && block_ok(s)) {
		while (trailing < len && s[len - 1 - trailing] == '\n')
			trailing++;
		buf_adds(b, trailing == 0 ? "|-" : "|");
		for (p = s; p < s + len - trailing;) {
			const char *nl = memchr(p, '\n', (size_t)(s + len - trailing - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(s + len - trailing - p);

			buf_addch(b, '\n');
			if (n > 0)
				buf_addf(b, "%*s%.*s", indent, "", (int)n, p);
			p += n + (nl != NULL);
		}
		return;
	}
	if (printable(s)) {
		buf_addch(b, '\'');
		for (p = s; *p != '\0'; p++) {
			if (*p == '\'')
				buf_addch(b, '\'');
			buf_addch(b, *p);
		}
		buf_addch(b, '\'');
		return;
	}
	write_double_quoted(b, s);
}

static int
is_scalar(const struct yv *v)
{
	return v->kind == YV_STR || v->kind == YV_RAW;
}

/* A flow map or list fits: scalars only, no comments, short enough. */
static int
flow_ok(const struct yv *v)
{
	struct buf	b = BUF_INIT;
	size_t		i, len;

	if (v->block || v->n == 0)
		return v->n == 0;
	for (i = 0; i < v->n; i++)
		if (!is_scalar(v->kids[i]) || v->kids[i]->ncomments > 0 ||
		    strchr(v->kids[i]->s, '\n') != NULL)
			return 0;
	for (i = 0; i < v->n; i++) {
		if (v->keys) {
			write_key(&b, v->keys[i]);
			buf_addch(&b, ' ');
		}
		write_scalar(&b, v->kids[i], 0, 1);
		buf_adds(&b, ", ");
	}
	len = b.len;
	buf_release(&b);
	return len <= FLOW_WIDTH;
}

static void write_value(struct ywriter *, struct yv *, int indent);

/* A map key, quoted as a value would be when it needs it. */
static void
write_key(struct buf *b, const char *key)
{
	struct yv	k = { 0 };

	k.kind = YV_STR;
	k.s = (char *)key;
	write_scalar(b, &k, 0, 1);
	buf_addch(b, ':');
}

static void
write_flow(struct buf *b, const struct yv *v)
{
	size_t	i;

	buf_adds(b, v->kind == YV_MAP ? (v->n ? "{ " : "{") : "[");
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			buf_adds(b, ", ");
		if (v->kind == YV_MAP) {
			write_key(b, v->keys[i]);
			buf_addch(b, ' ');
		}
		write_scalar(b, v->kids[i], 0, 1);
	}
	buf_adds(b, v->kind == YV_MAP ? (v->n ? " }" : "}") : "]");
}

static void
write_comments(struct buf *b, const struct yv *v, int indent)
{
	size_t	i;

	for (i = 0; i < v->ncomments; i++)
		buf_addf(b, "%*s# %s\n", indent, "", v->comments[i]);
}

/* The entries of a map at indent; with first_inline the first one goes
 * on the current line (after "- "), its comments already written. */
static void
write_map_entries(struct ywriter *w, struct yv *v, int indent, int first_inline)
{
	size_t	i;

	for (i = 0; i < v->n; i++) {
		struct yv *k = v->kids[i];

		if (!(i == 0 && first_inline)) {
			write_comments(w->b, k, indent);
			buf_addf(w->b, "%*s", indent, "");
		}
		write_key(w->b, v->keys[i]);
		write_value(w, k, indent + 2);
	}
}

/* After "key:" or "-": the value, then a newline. */
static void
write_value(struct ywriter *w, struct yv *v, int indent)
{
	size_t	i;

	v->first_line = cur_line(w);
	if (is_scalar(v)) {
		buf_addch(w->b, ' ');
		write_scalar(w->b, v, indent, 0);
		buf_addch(w->b, '\n');
	} else if (flow_ok(v)) {
		buf_addch(w->b, ' ');
		write_flow(w->b, v);
		buf_addch(w->b, '\n');
	} else if (v->kind == YV_MAP) {
		buf_addch(w->b, '\n');
		write_map_entries(w, v, indent, 0);
	} else {
		buf_addch(w->b, '\n');
		for (i = 0; i < v->n; i++) {
			struct yv *k = v->kids[i];

			write_comments(w->b, k, indent);
			if (k->kind == YV_MAP && !flow_ok(k)) {
				/* "- key: value" and the rest of the map under it */
				if (k->n > 0)
					write_comments(w->b, k->kids[0], indent);
				buf_addf(w->b, "%*s- ", indent, "");
				k->first_line = cur_line(w);
				write_map_entries(w, k, indent + 2, 1);
				k->last_line = cur_line(w) - 1;
			} else {
				buf_addf(w->b, "%*s-", indent, "");
				write_value(w, k, indent + 2);
			}
		}
	}
	v->last_line = cur_line(w) - 1;
}

void
yv_write(struct buf *b, struct yv *doc)
{
	struct ywriter	w = { b, b->len, 1 };

	w.counted = 0;
	write_comments(b, doc, 0);
	doc->first_line = 1;
	write_map_entries(&w, doc, 0, 0);
	doc->last_line = cur_line(&w) - 1;
}

void
yv_lines(const struct yv *v, int *first, int *last)
{
	*first = v->first_line;
	*last = v->last_line;
}
