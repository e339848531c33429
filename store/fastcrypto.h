/*
 * fastcrypto.h - SHA-256 and AES-256-GCM for the encrypted user-state
 * store, fast on x86-64 CPUs with SHA-NI / AES-NI + PCLMULQDQ and
 * falling back to mbedTLS everywhere else.
 *
 * The implementation is picked at run time (cpuid), once per process;
 * TSI_FASTCRYPTO=generic in the environment (read on first use) or
 * fastcrypto_force_generic(1) forces the mbedTLS path.  A gcm256 context
 * keeps the implementation it was created with.
 *
 * Nothing here is shared between contexts: separate contexts may be used
 * from separate threads at the same time.
 */
#ifndef TSI_FASTCRYPTO_H
#define TSI_FASTCRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN	32
#define GCM256_KEY_LEN	32
#define GCM256_NONCE_LEN 12
#define GCM256_TAG_LEN	16
/* The largest message gcm256_seal/open accept: 2^36 - 32 bytes (SP 800-38D). */
#define GCM256_MAX_LEN	((uint64_t)0xfffffffe0)

struct sha256_ctx {
	uint32_t	state[8];
	uint64_t	bytes;		/* message bytes so far */
	uint8_t		buf[64];	/* a partial block */
	size_t		used;		/* bytes in buf */
};

void	sha256_init(struct sha256_ctx *);
void	sha256_update(struct sha256_ctx *, const void *, size_t);
/* Writes the digest and wipes the context. */
void	sha256_final(struct sha256_ctx *, uint8_t out[32]);
void	sha256(const void *, size_t, uint8_t out[32]);

struct gcm256;

/* A context for one key; NULL on failure (out of memory). */
struct gcm256	*gcm256_new(const uint8_t key[32]);
/* Wipes the key material and frees; NULL is fine. */
void		 gcm256_free(struct gcm256 *);
/*
 * Encrypts LEN bytes of IN to OUT (which may be IN) and writes the tag.
 * The nonce is 12 bytes and must never repeat for one key.  AAD and IN may
 * be NULL when their length is 0.  0, or -1 when LEN > GCM256_MAX_LEN.
 */
int	gcm256_seal(struct gcm256 *, const uint8_t nonce[12], const uint8_t *aad,
	    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
	    uint8_t tag[16]);
/*
 * Decrypts and verifies (tag compared in constant time).  0, or -1 when
 * the tag does not match (or LEN > GCM256_MAX_LEN): then all LEN bytes of
 * OUT are zeroed.  OUT may be IN.
 */
int	gcm256_open(struct gcm256 *, const uint8_t nonce[12], const uint8_t *aad,
	    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
	    const uint8_t tag[16]);

/* "sha-ni+aes-ni", "mbedtls", or a mix such as "sha-ni+mbedtls-gcm". */
const char	*fastcrypto_impl(void);
/*
 * For tests: 1 makes new work (sha256_* calls, gcm256_new) use mbedTLS;
 * 0 returns to the default (CPU detection, TSI_FASTCRYPTO).
 */
void		 fastcrypto_force_generic(int);

#endif
