/* json.c - see json.h */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
json_init(struct json *j, struct buf *out, int pretty)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->pretty = pretty;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0; *cp gets the code point. */
static size_t
utf8_seq(const unsigned char *s, size_t left, unsigned *cp)
{
	size_t		n, i;
	unsigned	c = s[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; c &= 0x07; min = 0x10000;
	} else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * JSON string literal.  Control characters, DEL, C1 controls and U+FFFE/F
 * are escaped so that the output is also valid YAML (tsi reads its journal
 * back with libyaml); bytes that are not UTF-8 become U+FFFD.
 */
void
json_quote(struct buf *b, const char *str, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, start = 0, n;
	unsigned		 cp;

	buf_addch(b, '"');
	while (i < len) {
		n = utf8_seq(s + i, len - i, &cp);
		if (n > 0 && cp >= 0x20 && cp != '"' && cp != '\\' && cp != 0x7f &&
		    !(cp >= 0x80 && cp <= 0x9f) && cp != 0xfffe && cp != 0xffff) {
			i += n;
			continue;
		}
		buf_add(b, str + start, i - start);
		if (n == 0) {
			buf_adds(b, "\\ufffd");
			n = 1;
		} else if (cp == '"')
			buf_adds(b, "\\\"");
		else if (cp == '\\')
			buf_adds(b, "\\\\");
		else if (cp == '\n')
			buf_adds(b, "\\n");
		else if (cp == '\r')
			buf_adds(b, "\\r");
		else if (cp == '\t')
			buf_adds(b, "\\t");
		else {
			char esc[6] = { '\\', 'u', hex[(cp >> 12) & 15],
			    hex[(cp >> 8) & 15], hex[(cp >> 4) & 15], hex[cp & 15] };

			buf_add(b, esc, 6);
		}
		i += n;
		start = i;
	}
	buf_add(b, str + start, i - start);
	buf_addch(b, '"');
}

static void
json_newline(struct json *j)
{
	int	i;

	if (!j->pretty)
		return;
	buf_addch(j->out, '\n');
	for (i = 0; i < j->depth; i++)
		buf_adds(j->out, "  ");
}

/* Comma, indentation and key before a value. */
static void
json_key(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->count[j->depth - 1]++ > 0)
			buf_addch(j->out, ',');
		json_newline(j);
	}
	if (key != NULL) {
		json_quote(j->out, key, strlen(key));
		buf_adds(j->out, j->pretty ? ": " : ":");
	}
}

static void
json_open(struct json *j, const char *key, char c)
{
	json_key(j, key);
	buf_addch(j->out, c);
	if (j->depth >= JSON_MAX_DEPTH)
		fatal("json: nesting deeper than %d", JSON_MAX_DEPTH);
	j->count[j->depth++] = 0;
}

static void
json_close(struct json *j, char c)
{
	int	had = j->count[--j->depth];

	if (had)
		json_newline(j);
	buf_addch(j->out, c);
}

void json_obj_begin(struct json *j, const char *key) { json_open(j, key, '{'); }
void json_obj_end(struct json *j) { json_close(j, '}'); }
void json_arr_begin(struct json *j, const char *key) { json_open(j, key, '['); }
void json_arr_end(struct json *j) { json_close(j, ']'); }

void
json_strn(struct json *j, const char *key, const char *val, size_t len)
{
	char	*f;

	json_key(j, key);
	if (val == NULL) {
		buf_adds(j->out, "null");
		return;
	}
	if (j->filter != NULL) {
		f = j->filter(j->filter_ctx, val);
		json_quote(j->out, f, strlen(f));
		if (j->tap != NULL)
			j->tap(j->tap_ctx, j->depth, key, f, strlen(f), 0);
		free(f);
		return;
	}
	json_quote(j->out, val, len);
	if (j->tap != NULL)
		j->tap(j->tap_ctx, j->depth, key, val, len, 0);
}

void
json_str(struct json *j, const char *key, const char *val)
{
	json_strn(j, key, val, val ? strlen(val) : 0);
}

void
json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	buf_addf(j->out, "%lld", v);
	if (j->tap != NULL)
		j->tap(j->tap_ctx, j->depth, key, NULL, 0, v);
}

void
json_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	buf_adds(j->out, v ? "true" : "false");
	if (j->tap != NULL)
		j->tap(j->tap_ctx, j->depth, key, NULL, 0, v != 0);
}

void
json_null(struct json *j, const char *key)
{
	json_key(j, key);
	buf_adds(j->out, "null");
}
