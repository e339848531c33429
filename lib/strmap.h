/*
 * strmap.h - a map from strings to strings (open addressing, FNV-1a): the
 * few places that look names up by the thousand (what a restore placed
 * where, the hard-linked files a capture has seen, folders left out).
 */
#ifndef TSI_STRMAP_H
#define TSI_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char	*key;
	char	*value;		/* may be NULL */
	uint64_t n1, n2;	/* counters for the caller */
};

struct strmap {
	struct strmap_slot	*v;
	size_t			 n, cap;
};

#define STRMAP_INIT	{ NULL, 0, 0 }

/* The slot of key (len bytes), made (value NULL, counters 0) when absent. */
struct strmap_slot *strmap_slot(struct strmap *, const char *key, size_t len);
/* The slot of key, or NULL. */
struct strmap_slot *strmap_find(const struct strmap *, const char *key);
/* Sets key's value (a copy; NULL clears it). */
void	strmap_set(struct strmap *, const char *key, const char *value);
const char *strmap_get(const struct strmap *, const char *key);
void	strmap_release(struct strmap *);
uint64_t str_hash(const char *, size_t);

#endif
