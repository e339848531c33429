/* vars.c - see vars.h */
#include "vars.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/util.h"

static uint32_t
name_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (uint32_t)tolower((unsigned char)*s)) * 16777619u;
	return h;
}

void
vars_init(struct vars *vs)
{
	memset(vs, 0, sizeof *vs);
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	/* volatile so that the wipe of a secret is not optimised away */
	for (volatile char *p = s; *p != '\0'; p++)
		*p = '\0';
	free(s);
}

void
vars_release(struct vars *vs)
{
	size_t	i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		wipe_free(vs->v[i].value);
	}
	for (i = 0; i < vs->nsecrets; i++)
		wipe_free(vs->secrets[i]);
	free(vs->v);
	free(vs->secrets);
	free(vs->index);
	vars_init(vs);
}

/* The hash index: linear probing over positions + 1 (0 is an empty slot). */
static void
index_rebuild(struct vars *vs)
{
	size_t	i, slot, mask;

	if (vs->index_cap < 2 * vs->alloc) {
		free(vs->index);
		vs->index_cap = 64;
		while (vs->index_cap < 2 * vs->alloc)
			vs->index_cap *= 2;
		vs->index = xcalloc(vs->index_cap, sizeof *vs->index);
	} else
		memset(vs->index, 0, vs->index_cap * sizeof *vs->index);
	mask = vs->index_cap - 1;
	for (i = 0; i < vs->n; i++) {
		for (slot = vs->v[i].hash & mask; vs->index[slot] != 0;
		    slot = (slot + 1) & mask)
			;
		vs->index[slot] = i + 1;
	}
}

static struct var *
vars_find(const struct vars *vs, const char *name)
{
	uint32_t	h = name_hash(name);
	size_t		slot, mask, pos;

	if (vs->index == NULL)
		return NULL;
	mask = vs->index_cap - 1;
	for (slot = h & mask; (pos = vs->index[slot]) != 0; slot = (slot + 1) & mask) {
		struct var *v = &vs->v[pos - 1];

		if (v->hash == h && strcasecmp(v->name, name) == 0)
			return v;
	}
	return NULL;
}

const char *
vars_get(const struct vars *vs, const char *name)
{
	struct var	*v = vars_find(vs, name);

	return v ? v->value : NULL;
}

int
vars_is_secret(const struct vars *vs, const char *name)
{
	struct var	*v = vars_find(vs, name);

	return v ? v->secret : 0;
}

const char *
var_name_problem(const char *name)
{
	size_t	n = strlen(name), i;

	if (n == 0)
		return "a variable name cannot be empty";
	if (n > VAR_NAME_MAX)
		return "a variable name has at most 256 characters";
	if (!isalpha((unsigned char)name[0]) && name[0] != '_')
		return "a variable name starts with a letter or '_'";
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return "a variable name holds only letters, digits, '_' and '-'";
	return NULL;
}

int
var_name_read_only(const char *name)
{
	return name[0] == '_';
}

const char *
vars_result_str(enum vars_result r)
{
	switch (r) {
	case VARS_OK:		return "ok";
	case VARS_BAD_NAME:	return "invalid variable name";
	case VARS_READ_ONLY:	return "variables whose names start with '_' are read-only";
	case VARS_TOO_LONG:	return "a variable value has at most 4000 characters";
	case VARS_FULL:		return "the environment is full (10000 variables or "
				    "4 MiB of values)";
	}
	return "?";
}

static void
add_secret_text(struct vars *vs, const char *value, size_t len)
{
	size_t	i;

	if (len == 0)
		return;
	for (i = 0; i < vs->nsecrets; i++)
		if (strlen(vs->secrets[i]) == len && memcmp(vs->secrets[i], value, len) == 0)
			return;
	vs->secrets = xreallocarray(vs->secrets, vs->nsecrets + 1, sizeof *vs->secrets);
	vs->secrets[vs->nsecrets++] = xstrndup(value, len);
	vs->secret_bytes += len;
}

/*
 * A secret of several lines is remembered line by line too (those of
 * REDACT_FRAGMENT_MIN characters or more, without a trailing CR): output
 * reaches the log a line at a time, and a command may print the lines
 * apart, or with CRLF.
 */
void
vars_add_secret(struct vars *vs, const char *value)
{
	const char	*line, *nl;
	size_t		 len;

	if (value == NULL || *value == '\0')
		return;
	add_secret_text(vs, value, strlen(value));
	if (strpbrk(value, "\r\n") == NULL)
		return;
	for (line = value; *line != '\0'; line = nl + (*nl != '\0')) {
		nl = line + strcspn(line, "\r\n");
		len = (size_t)(nl - line);
		if (len >= REDACT_FRAGMENT_MIN)
			add_secret_text(vs, line, len);
		if (*nl == '\0')
			break;
	}
}

/* The longest k >= REDACT_FRAGMENT_MIN such that s's first k bytes end a
 * secret (head) or its last k bytes begin one (!head); 0 if none. */
size_t
vars_fragment_at_cut(const struct vars *vs, const char *s, size_t len, int head)
{
	size_t	i, k, slen, best = 0;

	for (i = 0; i < vs->nsecrets; i++) {
		const char *sec = vs->secrets[i];

		slen = strlen(sec);
		for (k = slen - 1 < len ? slen - 1 : len; k > best &&
		    k >= REDACT_FRAGMENT_MIN; k--)
			if (head ? memcmp(s, sec + slen - k, k) == 0 :
			    memcmp(s + len - k, sec, k) == 0) {
				best = k;
				break;
			}
	}
	return best;
}

char *
vars_redact_piece(const struct vars *vs, const char *s, size_t len, int cut_before,
    int cut_after)
{
	struct buf	 b = BUF_INIT;
	size_t		 head = cut_before ? vars_fragment_at_cut(vs, s, len, 1) : 0;
	size_t		 tail = cut_after ? vars_fragment_at_cut(vs, s, len, 0) : 0;
	char		*mid, *safe;

	if (head + tail > len)
		tail = len - head;
	if (head > 0)
		buf_adds(&b, VAR_REDACTED);
	mid = xstrndup(s + head, len - head - tail);
	safe = vars_redact(vs, mid);
	buf_adds(&b, safe);
	free(safe);
	free(mid);
	if (tail > 0)
		buf_adds(&b, VAR_REDACTED);
	return buf_detach(&b);
}

int
vars_holds_secret(const struct vars *vs, const char *s, int cut_before)
{
	return vars_redact_needed(vs, s) ||
	    (cut_before && vars_fragment_at_cut(vs, s, strlen(s), 1) > 0);
}

/* value with every byte that is not UTF-8 replaced by U+FFFD (caller frees). */
static char *
utf8_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct buf		 b = BUF_INIT;
	size_t			 n, i;

	while (*p != '\0') {
		n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			;
		if (n == 0 || i < n || (n == 2 && *p < 0xc2) ||
		    (n == 3 && *p == 0xe0 && p[1] < 0xa0) ||
		    (n == 3 && *p == 0xed && p[1] >= 0xa0) ||
		    (n == 4 && ((*p == 0xf0 && p[1] < 0x90) || *p > 0xf4 ||
		    (*p == 0xf4 && p[1] >= 0x90)))) {
			buf_adds(&b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		buf_add(&b, p, n);
		p += n;
	}
	return buf_detach(&b);
}

/*
 * Variables that hold secrets whoever sets them: ConfigMgr's passwords, and
 * LoadState switches that carry one (/lac:PASSWORD).
 */
int
vars_always_secret(const char *name, const char *value)
{
	static const char *const names[] = {
		"OSDMigrateLocalAccountPassword", "OSDLocalAdminPassword",
		"OSDJoinPassword", "OSDCaptureAccountPassword",
		"OSDRegisteredUserPassword", NULL,
	};
	const char	*lac;
	size_t		 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return strcasecmp(name, "OSDMigrateAdditionalRestoreOptions") == 0 &&
	    (lac = strcasestr(value, "/lac:")) != NULL && lac[5] != '\0' &&
	    lac[5] != ' ';
}

enum vars_result
vars_set(struct vars *vs, const char *name, const char *raw, int flags)
{
	struct var	*v;
	char		*value;
	size_t		 len, old;

	if (var_name_problem(name) != NULL)
		return VARS_BAD_NAME;
	if (var_name_read_only(name) && !(flags & VAR_ENGINE))
		return VARS_READ_ONLY;
	v = vars_find(vs, name);
	if (*raw == '\0') {			/* empty deletes, as in ConfigMgr */
		if (v != NULL) {
			vs->bytes -= strlen(v->value);
			free(v->name);
			wipe_free(v->value);
			*v = vs->v[--vs->n];
			index_rebuild(vs);	/* deletions are rare */
		}
		return VARS_OK;
	}
	value = utf8_clean(raw);
	len = strlen(value);
	if (vars_always_secret(name, value))
		flags |= VAR_SECRET;
	old = v != NULL ? strlen(v->value) : 0;
	if (len > VAR_VALUE_MAX && !(flags & VAR_ENGINE)) {
		wipe_free(value);
		return VARS_TOO_LONG;
	}
	if (!(flags & VAR_UNBOUNDED) && ((v == NULL && vs->n >= VARS_MAX_COUNT) ||
	    vs->bytes - old + len > VARS_MAX_BYTES ||
	    ((flags & VAR_SECRET || (v != NULL && v->secret)) &&
	    vs->secret_bytes + len > VARS_MAX_BYTES))) {
		wipe_free(value);
		return VARS_FULL;
	}
	vs->bytes = vs->bytes - old + len;
	if (v == NULL) {
		if (vs->n == vs->alloc) {
			vs->alloc = vs->alloc ? 2 * vs->alloc : 32;
			vs->v = xreallocarray(vs->v, vs->alloc, sizeof *vs->v);
		}
		v = &vs->v[vs->n++];
		v->name = xstrdup(name);
		v->hash = name_hash(name);
		v->value = NULL;
		v->secret = 0;
		if (vs->index_cap < 2 * vs->alloc)
			index_rebuild(vs);
		else {
			size_t slot, mask = vs->index_cap - 1;

			for (slot = v->hash & mask; vs->index[slot] != 0;
			    slot = (slot + 1) & mask)
				;
			vs->index[slot] = vs->n;
		}
	}
	wipe_free(v->value);
	v->value = value;
	if (flags & VAR_SECRET)
		v->secret = 1;			/* once secret, always secret */
	if (v->secret)
		vars_add_secret(vs, value);
	return VARS_OK;
}

int
vars_redact_needed(const struct vars *vs, const char *s)
{
	size_t	i;

	for (i = 0; i < vs->nsecrets; i++)
		if (strstr(s, vs->secrets[i]) != NULL)
			return 1;
	return 0;
}

char *
vars_redact(const struct vars *vs, const char *s)
{
	struct buf	 b = BUF_INIT;
	size_t		 i, best_len;
	const char	*p = s, *hit, *best;

	if (!vars_redact_needed(vs, s))
		return xstrdup(s);
	while (*p != '\0') {
		/* earliest, then longest, match among the secret values */
		best = NULL;
		best_len = 0;
		for (i = 0; i < vs->nsecrets; i++) {
			hit = strstr(p, vs->secrets[i]);
			if (hit == NULL)
				continue;
			size_t l = strlen(vs->secrets[i]);

			if (best == NULL || hit < best || (hit == best && l > best_len)) {
				best = hit;
				best_len = l;
			}
		}
		if (best == NULL) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(best - p));
		buf_adds(&b, VAR_REDACTED);
		p = best + best_len;
	}
	return buf_detach(&b);
}

static int
var_cmp(const void *a, const void *b)
{
	const struct var *x = *(const struct var *const *)a;
	const struct var *y = *(const struct var *const *)b;

	return strcasecmp(x->name, y->name);
}

const struct var **
vars_sorted(const struct vars *vs, size_t *n)
{
	const struct var	**out = xcalloc(vs->n + 1, sizeof *out);
	size_t			  i;

	for (i = 0; i < vs->n; i++)
		out[i] = &vs->v[i];
	qsort(out, vs->n, sizeof *out, var_cmp);
	*n = vs->n;
	return out;
}

/* Length of a reference name starting at p and ending at a '%', or 0. */
static size_t
ref_name_len(const char *p)
{
	size_t	n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-')
		n++;
	if (p[n] != '%' || n > VAR_NAME_MAX)
		return 0;
	return n;
}

int
vars_expand(const struct vars *vs, const char *s, char **out)
{
	struct buf	 b;
	const char	*p = s, *val;
	char		 name[VAR_NAME_MAX + 1];
	size_t		 n;
	int		 r = 0;

	if (strchr(s, '%') == NULL) {
		if (strlen(s) > EXPAND_MAX)
			return -1;
		*out = xstrdup(s);
		return 0;
	}
	buf_init(&b, EXPAND_MAX);
	while (*p != '\0' && r == 0) {
		const char *pct = strchr(p, '%');

		if (pct == NULL) {
			r = buf_adds(&b, p);
			break;
		}
		r = buf_add(&b, p, (size_t)(pct - p));
		if (pct[1] == '%') {
			r |= buf_addch(&b, '%');
			p = pct + 2;
			continue;
		}
		n = ref_name_len(pct + 1);
		if (n == 0) {
			r |= buf_addch(&b, '%');
			p = pct + 1;
			continue;
		}
		memcpy(name, pct + 1, n);
		name[n] = '\0';
		val = vars_get(vs, name);
		if (val != NULL)
			r |= buf_adds(&b, val);
		else
			r |= buf_add(&b, pct, n + 2);
		p = pct + n + 2;
	}
	if (r != 0) {
		buf_release(&b);
		return -1;
	}
	*out = buf_detach(&b);
	return 0;
}

void
vars_scan_refs(const char *s, var_ref_fn fn, void *ctx)
{
	const char	*p = s;
	char		 name[VAR_NAME_MAX + 1];
	size_t		 n;

	while ((p = strchr(p, '%')) != NULL) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		n = ref_name_len(p + 1);
		if (n == 0) {
			p++;
			continue;
		}
		memcpy(name, p + 1, n);
		name[n] = '\0';
		fn(ctx, name, (size_t)(p - s));
		p += n + 2;
	}
}
