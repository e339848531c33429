/* store-int.h - shared inside store/ only */
#ifndef TSI_STORE_INT_H
#define TSI_STORE_INT_H

#include <stdint.h>

/* getrandom(2) as an mbedTLS RNG callback. */
int	store_rng(void *ctx, unsigned char *buf, size_t len);
/* peer NULL: the public key of priv; else the shared secret.  0 or -1. */
int	x25519(const uint8_t priv[32], const uint8_t *peer, uint8_t out[32]);
int	x25519_generate(uint8_t priv[32]);

#endif
