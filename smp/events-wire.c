/*
 * events-wire.c - the lines of POST /v1/events (proto.h), written by the
 * computer (status-client.c) and read by the SMP (events.c).  The reader
 * takes bytes from the network: it is strict, bounded, and fuzzed
 * (tests/fuzz/fuzz-events.c); whatever it accepts, the writer writes back
 * the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "proto.h"

static const char *const kind_names[] = {
	[SMP_EV_RUN_START] = "run_start",
	[SMP_EV_RUN_END] = "run_end",
	[SMP_EV_STEP_START] = "step_start",
	[SMP_EV_STEP_END] = "step_end",
	[SMP_EV_PROGRESS] = "progress",
	[SMP_EV_DROPPED] = "dropped",
};

const char *
smp_event_kind_name(enum smp_event_kind k)
{
	return (size_t)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

/* Length of the UTF-8 character at s (1 to 4), or 0 when it is none. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	unsigned	c = s[0], cp;
	size_t		n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A byte no field may hold as it is: a control character but the three
 * that travel escaped. */
static int
forbidden(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

void
smp_event_field(char *dst, size_t max, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, n, left = strlen(s);

	while (left > 0) {
		n = utf8_len(p, left);
		if (n == 0 || (n == 1 && forbidden(*p))) {
			if (o + 1 > max)
				break;
			dst[o++] = '?';
			p++, left--;
			continue;
		}
		if (o + n > max)
			break;
		memcpy(dst + o, p, n);
		o += n;
		p += n;
		left -= n;
	}
	dst[o] = '\0';
}

static void
put_escaped(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '\t':	buf_adds(b, "\\t"); break;
		case '\n':	buf_adds(b, "\\n"); break;
		case '\r':	buf_adds(b, "\\r"); break;
		case '\\':	buf_adds(b, "\\\\"); break;
		default:	buf_addch(b, *s);
		}
}

void
smp_event_line(struct buf *b, const struct smp_event *e)
{
	buf_addf(b, "%s\t%lld\t%lld\t%s\t", e->run, e->seq, e->time,
	    smp_event_kind_name(e->kind));
	put_escaped(b, e->step);
	buf_addch(b, '\t');
	put_escaped(b, e->result);
	buf_addch(b, '\t');
	put_escaped(b, e->detail);
	buf_addch(b, '\n');
}

/* The reader: a line at a time, a field at a time. */
struct reader {
	const char	*p, *end;	/* the rest of the line */
	size_t		 line;
	char		*why;
};

static int
fail(struct reader *r, const char *field, const char *what)
{
	r->why = xasprintf("line %zu: %s%s%s", r->line, field ? field : "",
	    field ? ": " : "", what);
	return -1;
}

/* The next field, unescaped into out (max bytes); 0, or -1. */
static int
take_field(struct reader *r, const char *name, char *out, size_t max, int last)
{
	size_t	o = 0, n;
	char	c;

	while (r->p < r->end && *r->p != '\t') {
		c = *r->p;
		if (c == '\\') {
			if (r->p + 1 >= r->end)
				return fail(r, name, "a backslash ends the line "
				    "(\\\\ is a backslash)");
			switch (r->p[1]) {
			case 't':	c = '\t'; break;
			case 'n':	c = '\n'; break;
			case 'r':	c = '\r'; break;
			case '\\':	c = '\\'; break;
			default:
				return fail(r, name, "an unknown escape (only \\t, \\n, "
				    "\\r and \\\\ are)");
			}
			if (o + 1 > max)
				return fail(r, name, "too long");
			out[o++] = c;
			r->p += 2;
			continue;
		}
		n = utf8_len((const unsigned char *)r->p, (size_t)(r->end - r->p));
		if (n == 0)
			return fail(r, name, "not UTF-8");
		/* on the wire a control character is never raw: tabs, newlines
		 * and CRs are escaped, the others are not sent */
		if (n == 1 && ((unsigned char)c < 0x20 || c == 0x7f))
			return fail(r, name, "a control character (tabs, newlines, CRs "
			    "and backslashes are escaped; others may not be sent)");
		if (o + n > max)
			return fail(r, name, "too long");
		memcpy(out + o, r->p, n);
		o += n;
		r->p += n;
	}
	out[o] = '\0';
	if (last && r->p < r->end)
		return fail(r, NULL, "more than seven fields");
	if (!last && r->p >= r->end)
		return fail(r, NULL, "fewer than seven fields: RUN SEQ TIME KIND STEP "
		    "RESULT DETAIL, separated by tabs");
	if (!last)
		r->p++;
	return 0;
}

/* A whole number of at most 18 digits. */
static int
number(const char *s, long long *out)
{
	size_t	n = strlen(s), i;

	if (n == 0 || n > 18)
		return -1;
	*out = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

static int
parse_line(struct reader *r, struct smp_event *e)
{
	char	num[24], kind[16];
	size_t	i;

	memset(e, 0, sizeof *e);
	if (take_field(r, "RUN", e->run, SMP_RUN_HEX, 0) == -1)
		return -1;
	if (strlen(e->run) != SMP_RUN_HEX || strspn(e->run, "0123456789abcdef") !=
	    SMP_RUN_HEX)
		return fail(r, "RUN", "not 32 lowercase hex digits");
	if (take_field(r, "SEQ", num, sizeof num - 1, 0) == -1)
		return -1;
	if (number(num, &e->seq) == -1)
		return fail(r, "SEQ", "not a number");
	if (take_field(r, "TIME", num, sizeof num - 1, 0) == -1)
		return -1;
	if (number(num, &e->time) == -1)
		return fail(r, "TIME", "not Unix seconds");
	if (take_field(r, "KIND", kind, sizeof kind - 1, 0) == -1)
		return -1;
	for (i = 0; i < ARRAY_SIZE(kind_names) && strcmp(kind, kind_names[i]) != 0; i++)
		;
	if (i == ARRAY_SIZE(kind_names))
		return fail(r, "KIND", "not run_start, run_end, step_start, step_end, "
		    "progress or dropped");
	e->kind = (enum smp_event_kind)i;
	if (take_field(r, "STEP", e->step, SMP_EVENT_STEP_MAX, 0) == -1 ||
	    take_field(r, "RESULT", e->result, SMP_EVENT_RESULT_MAX, 0) == -1)
		return -1;
	if (strspn(e->result, "abcdefghijklmnopqrstuvwxyz_") != strlen(e->result))
		return fail(r, "RESULT", "not a word of lowercase letters");
	return take_field(r, "DETAIL", e->detail, SMP_EVENT_DETAIL_MAX, 1);
}

int
smp_events_parse(const char *body, size_t len, struct smp_event **evs, size_t *n,
    char **why)
{
	struct reader	 r = { NULL, NULL, 0, NULL };
	const char	*p = body, *end = body + len, *nl;
	size_t		 lines = 0;

	*evs = NULL;
	*n = 0;
	*why = NULL;
	if (len > SMP_EVENTS_MAX_BODY) {
		*why = xasprintf("the body is over %d bytes: send fewer events at once",
		    SMP_EVENTS_MAX_BODY);
		return 413;
	}
	if (len == 0) {
		*why = xstrdup("no events: the body is empty");
		return 400;
	}
	for (nl = p; nl < end; nl++)
		lines += *nl == '\n';
	lines += end[-1] != '\n';
	if (lines > SMP_EVENTS_MAX) {
		*why = xasprintf("%zu events: at most %d a request", lines, SMP_EVENTS_MAX);
		return 413;
	}
	*evs = xcalloc(lines, sizeof **evs);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		r.p = p;
		r.end = nl ? nl : end;
		r.line++;
		if (r.p == r.end) {
			fail(&r, NULL, "an empty line");
			break;
		}
		if (memchr(r.p, '\0', (size_t)(r.end - r.p)) != NULL) {
			fail(&r, NULL, "a NUL byte");
			break;
		}
		if (parse_line(&r, &(*evs)[*n]) == -1)
			break;
		(*n)++;
		p = nl ? nl + 1 : end;
	}
	if (r.why == NULL)
		return 0;
	free(*evs);
	*evs = NULL;
	*n = 0;
	*why = r.why;
	return 400;
}
