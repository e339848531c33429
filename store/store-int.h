/* store-int.h - shared inside store/ only */
#ifndef TSI_STORE_INT_H
#define TSI_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

/* Big-endian integers, as every field of the store format is. */
static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static inline uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* peer NULL: the public key of priv; else the shared secret.  0 or -1. */
int	x25519(const uint8_t priv[32], const uint8_t *peer, uint8_t out[32]);
int	x25519_generate(uint8_t priv[32]);

#endif
