/*
 * sparse-hash.c - the catalog's checksum of a sparse file (CAT_SPARSE_HASH):
 * SHA-256 of (SHA-256 of the bytes of its data regions, in order) ‖
 * (SHA-256 of each maximal data region's offset and length, 8 bytes each,
 * big-endian) ‖ the file's size (8 bytes).  Holes cost nothing to capture
 * or to verify, and a hole turned into zeros, or zeros into a hole, is
 * still found (the map is in the sum).  docs/store-format.md.
 */
#include "migrate.h"

#include <string.h>

static void
put_be64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

void
sparse_hash_init(struct sparse_hash *h)
{
	memset(h, 0, sizeof *h);
	sha256_init(&h->data);
	sha256_init(&h->map);
}

static void
close_region(struct sparse_hash *h)
{
	uint8_t	rec[16];

	if (!h->open)
		return;
	put_be64(rec, (uint64_t)h->start);
	put_be64(rec + 8, (uint64_t)(h->end - h->start));
	sha256_update(&h->map, rec, sizeof rec);
	h->open = 0;
}

void
sparse_hash_data(struct sparse_hash *h, int64_t off, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (!h->open || off != h->end) {	/* regions meet: one region */
		close_region(h);
		h->start = off;
		h->end = off;
		h->open = 1;
	}
	h->end += (int64_t)n;
	sha256_update(&h->data, p, n);
}

void
sparse_hash_final(struct sparse_hash *h, int64_t size, char out[65])
{
	struct sha256_ctx	all;
	uint8_t			d[32], m[32], sz[8], sum[32];

	close_region(h);
	sha256_final(&h->data, d);
	sha256_final(&h->map, m);
	put_be64(sz, (uint64_t)size);
	sha256_init(&all);
	sha256_update(&all, d, sizeof d);
	sha256_update(&all, m, sizeof m);
	sha256_update(&all, sz, sizeof sz);
	sha256_final(&all, sum);
	hex_encode(sum, sizeof sum, out);
}
