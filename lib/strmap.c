/*
 * strmap.c - a map from strings to strings; see strmap.h.
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

uint64_t
str_hash(const char *s, size_t n)
{
	uint64_t	h = 1469598103934665603ULL;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static size_t
probe(const struct strmap *m, const char *key, size_t len)
{
	size_t	i = str_hash(key, len) & (m->cap - 1);

	while (m->v[i].key != NULL && (strlen(m->v[i].key) != len ||
	    memcmp(m->v[i].key, key, len) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

struct strmap_slot *
strmap_slot(struct strmap *m, const char *key, size_t len)
{
	size_t	i;

	if (m->n * 2 >= m->cap) {	/* grow: keep it half empty */
		struct strmap	old = *m;
		size_t		j;

		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xcalloc(m->cap, sizeof *m->v);
		for (j = 0; j < old.cap; j++)
			if (old.v[j].key != NULL)
				m->v[probe(m, old.v[j].key, strlen(old.v[j].key))] = old.v[j];
		free(old.v);
	}
	i = probe(m, key, len);
	if (m->v[i].key == NULL) {
		m->v[i].key = xstrndup(key, len);
		m->n++;
	}
	return &m->v[i];
}

struct strmap_slot *
strmap_find(const struct strmap *m, const char *key)
{
	size_t	i;

	if (m->cap == 0)
		return NULL;
	i = probe(m, key, strlen(key));
	return m->v[i].key != NULL ? &m->v[i] : NULL;
}

void
strmap_set(struct strmap *m, const char *key, const char *value)
{
	struct strmap_slot	*s = strmap_slot(m, key, strlen(key));

	free(s->value);
	s->value = value != NULL ? xstrdup(value) : NULL;
}

const char *
strmap_get(const struct strmap *m, const char *key)
{
	const struct strmap_slot	*s = strmap_find(m, key);

	return s != NULL ? s->value : NULL;
}

void
strmap_release(struct strmap *m)
{
	size_t	i;

	for (i = 0; i < m->cap; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
