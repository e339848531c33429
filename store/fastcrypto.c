/*
 * fastcrypto.c - SHA-256 with SHA-NI and AES-256-GCM with AES-NI and
 * PCLMULQDQ on x86-64, mbedTLS otherwise.  See fastcrypto.h.
 *
 * The x86 functions carry target attributes, so the file builds with the
 * project's ordinary CFLAGS; they only run after cpuid said yes.
 *
 * GHASH works on byte-reflected blocks (Gueron & Kounavis, "Intel
 * Carry-Less Multiplication Instruction and its Usage for Computing the
 * GCM Mode"): products are shifted left by one bit and reduced modulo
 * x^128 + x^7 + x^2 + x + 1.  Both steps are linear, so eight products
 * (X1^Y)*H^8 ^ X2*H^7 ^ ... ^ X8*H are summed unreduced and reduced once.
 */
#include "fastcrypto.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FC_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#define FC_DECIDED	1	/* fc_mode is set */
#define FC_SHA		2	/* SHA-NI */
#define FC_GCM		4	/* AES-NI + PCLMULQDQ */

static _Atomic int	fc_mode;	/* 0: not decided yet */
static _Atomic int	fc_forced;	/* fastcrypto_force_generic */

static int
cpu_features(void)
{
	int		f = 0;
#ifdef FC_X86
	unsigned	a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) == 0)
		return 0;
	/* SSSE3 (c9) and SSE4.1 (c19) for the shuffles and blends */
	if (!(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	if ((c & (1u << 25)) && (c & (1u << 1)))	/* AES, PCLMULQDQ */
		f |= FC_GCM;
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)))
		f |= FC_SHA;				/* SHA */
#endif
	return f;
}

static int
features(void)
{
	int		 f = atomic_load_explicit(&fc_mode, memory_order_relaxed);
	const char	*e;

	if (f != 0)
		return f;
	f = FC_DECIDED;
	e = getenv("TSI_FASTCRYPTO");
	if (!atomic_load_explicit(&fc_forced, memory_order_relaxed) &&
	    (e == NULL || strcmp(e, "generic") != 0))
		f |= cpu_features();
	atomic_store_explicit(&fc_mode, f, memory_order_relaxed);
	return f;
}

void
fastcrypto_force_generic(int on)
{
	atomic_store(&fc_forced, on != 0);
	atomic_store(&fc_mode, 0);
}

const char *
fastcrypto_impl(void)
{
	switch (features() & (FC_SHA | FC_GCM)) {
	case FC_SHA | FC_GCM:
		return "sha-ni+aes-ni";
	case FC_SHA:
		return "sha-ni+mbedtls-gcm";
	case FC_GCM:
		return "mbedtls-sha256+aes-ni";
	default:
		return "mbedtls";
	}
}

/* ------------------------------------------------------------------ */
/* SHA-256 */

static void
sha256_blocks_generic(uint32_t state[8], const uint8_t *p, size_t n)
{
	mbedtls_sha256_context	c;

	mbedtls_sha256_init(&c);
	memcpy(c.state, state, sizeof c.state);
	for (; n > 0; n--, p += 64)
		(void)mbedtls_internal_sha256_process(&c, p);
	memcpy(state, c.state, sizeof c.state);
	mbedtls_sha256_free(&c);	/* wipes */
}

#ifdef FC_X86
#define TARGET_SHA	__attribute__((target("sha,sse4.1")))

static const uint32_t K256[64] __attribute__((aligned(16))) = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* four rounds with message words W (already scheduled) */
#define SHA_RND4(W, g) do {						\
	msg = _mm_add_epi32((W),					\
	    _mm_load_si128((const __m128i *)&K256[4 * (g)]));		\
	st1 = _mm_sha256rnds2_epu32(st1, st0, msg);			\
	msg = _mm_shuffle_epi32(msg, 0x0e);				\
	st0 = _mm_sha256rnds2_epu32(st0, st1, msg);			\
} while (0)
/* Wn += sigma... : the next four words from the current (Wc) and previous (Wp) */
#define SHA_MSG2(Wn, Wc, Wp) do {					\
	(Wn) = _mm_add_epi32((Wn), _mm_alignr_epi8((Wc), (Wp), 4));	\
	(Wn) = _mm_sha256msg2_epu32((Wn), (Wc));			\
} while (0)
#define SHA_MSG1(Wp, Wc)	((Wp) = _mm_sha256msg1_epu32((Wp), (Wc)))

TARGET_SHA static void
sha256_blocks_ni(uint32_t state[8], const uint8_t *p, size_t n)
{
	const __m128i	mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
			    0x0405060700010203ULL);
	__m128i		st0, st1, tmp, msg, w0, w1, w2, w3, abef, cdgh;

	tmp = _mm_loadu_si128((const __m128i *)&state[0]);	/* DCBA */
	st1 = _mm_loadu_si128((const __m128i *)&state[4]);	/* HGFE */
	tmp = _mm_shuffle_epi32(tmp, 0xb1);			/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1b);			/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);			/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);			/* CDGH */

	for (; n > 0; n--, p += 64) {
		abef = st0;
		cdgh = st1;
		w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), mask);
		w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
		w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
		w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);

		SHA_RND4(w0, 0);
		SHA_RND4(w1, 1);  SHA_MSG1(w0, w1);
		SHA_RND4(w2, 2);  SHA_MSG1(w1, w2);
		SHA_RND4(w3, 3);  SHA_MSG2(w0, w3, w2); SHA_MSG1(w2, w3);
		SHA_RND4(w0, 4);  SHA_MSG2(w1, w0, w3); SHA_MSG1(w3, w0);
		SHA_RND4(w1, 5);  SHA_MSG2(w2, w1, w0); SHA_MSG1(w0, w1);
		SHA_RND4(w2, 6);  SHA_MSG2(w3, w2, w1); SHA_MSG1(w1, w2);
		SHA_RND4(w3, 7);  SHA_MSG2(w0, w3, w2); SHA_MSG1(w2, w3);
		SHA_RND4(w0, 8);  SHA_MSG2(w1, w0, w3); SHA_MSG1(w3, w0);
		SHA_RND4(w1, 9);  SHA_MSG2(w2, w1, w0); SHA_MSG1(w0, w1);
		SHA_RND4(w2, 10); SHA_MSG2(w3, w2, w1); SHA_MSG1(w1, w2);
		SHA_RND4(w3, 11); SHA_MSG2(w0, w3, w2); SHA_MSG1(w2, w3);
		SHA_RND4(w0, 12); SHA_MSG2(w1, w0, w3); SHA_MSG1(w3, w0);
		SHA_RND4(w1, 13); SHA_MSG2(w2, w1, w0);
		SHA_RND4(w2, 14); SHA_MSG2(w3, w2, w1);
		SHA_RND4(w3, 15);

		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}

	tmp = _mm_shuffle_epi32(st0, 0x1b);			/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);			/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);			/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);			/* HGFE */
	_mm_storeu_si128((__m128i *)&state[0], st0);
	_mm_storeu_si128((__m128i *)&state[4], st1);
}
#endif /* FC_X86 */

static void
sha256_blocks(uint32_t state[8], const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
#ifdef FC_X86
	if (features() & FC_SHA) {
		sha256_blocks_ni(state, p, n);
		return;
	}
#endif
	sha256_blocks_generic(state, p, n);
}

void
sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->state, iv, sizeof iv);
	c->bytes = 0;
	memset(c->buf, 0, sizeof c->buf);
	c->used = 0;
}

void
sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	const uint8_t	*p = data;
	size_t		 k;

	if (len == 0)
		return;
	c->bytes += len;
	if (c->used > 0) {
		k = 64 - c->used < len ? 64 - c->used : len;
		memcpy(c->buf + c->used, p, k);
		c->used += k;
		p += k;
		len -= k;
		if (c->used < 64)
			return;
		sha256_blocks(c->state, c->buf, 1);
		c->used = 0;
	}
	sha256_blocks(c->state, p, len / 64);
	p += len / 64 * 64;
	len %= 64;
	if (len > 0)
		memcpy(c->buf, p, len);
	c->used = len;
}

void
sha256_final(struct sha256_ctx *c, uint8_t out[32])
{
	uint64_t	bits = c->bytes * 8;
	size_t		i;

	c->buf[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->buf + c->used, 0, 64 - c->used);
		sha256_blocks(c->state, c->buf, 1);
		c->used = 0;
	}
	memset(c->buf + c->used, 0, 56 - c->used);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_blocks(c->state, c->buf, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->state[i];
	}
	mbedtls_platform_zeroize(c, sizeof *c);
}

void
sha256(const void *data, size_t len, uint8_t out[32])
{
	struct sha256_ctx	c;

	if (!(features() & FC_SHA)) {
		(void)mbedtls_sha256_ret(len ? data : (const void *)"", len, out, 0);
		return;
	}
	sha256_init(&c);
	sha256_update(&c, data, len);
	sha256_final(&c, out);
}

/* ------------------------------------------------------------------ */
/* AES-256-GCM */

struct gcm256 {
#ifdef FC_X86
	__m128i			rk[15];		/* AES-256 round keys */
	__m128i			h[8];		/* H^1..H^8, byte-reflected */
#endif
	int			fast;
	mbedtls_gcm_context	mb;		/* when !fast */
};

static int
tag_differs(const uint8_t a[16], const uint8_t b[16])
{
	volatile uint8_t	d = 0;
	size_t			i;

	for (i = 0; i < 16; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

#ifdef FC_X86
#define TARGET_AES	__attribute__((target("aes,pclmul,sse4.1")))
#define INLINE_AES	TARGET_AES static inline __attribute__((always_inline))

/* AES-256 key schedule steps (Intel AES-NI white paper) */
INLINE_AES __m128i
key_assist1(__m128i t1, __m128i t2)
{
	__m128i	t4;

	t2 = _mm_shuffle_epi32(t2, 0xff);
	t4 = _mm_slli_si128(t1, 4);
	t1 = _mm_xor_si128(t1, t4);
	t4 = _mm_slli_si128(t4, 4);
	t1 = _mm_xor_si128(t1, t4);
	t4 = _mm_slli_si128(t4, 4);
	t1 = _mm_xor_si128(t1, t4);
	return _mm_xor_si128(t1, t2);
}

INLINE_AES __m128i
key_assist2(__m128i t1, __m128i t3)
{
	__m128i	t2, t4;

	t4 = _mm_aeskeygenassist_si128(t1, 0x00);
	t2 = _mm_shuffle_epi32(t4, 0xaa);
	t4 = _mm_slli_si128(t3, 4);
	t3 = _mm_xor_si128(t3, t4);
	t4 = _mm_slli_si128(t4, 4);
	t3 = _mm_xor_si128(t3, t4);
	t4 = _mm_slli_si128(t4, 4);
	t3 = _mm_xor_si128(t3, t4);
	return _mm_xor_si128(t3, t2);
}

/* shifts the 256-bit product (lo, mid, hi) left by one bit and reduces it */
INLINE_AES __m128i
gf_reduce(__m128i lo, __m128i mid, __m128i hi)
{
	__m128i	t2, t3, t4, t5, t6, t7, t8, t9;

	t3 = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
	t6 = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));

	t7 = _mm_srli_epi32(t3, 31);
	t8 = _mm_srli_epi32(t6, 31);
	t3 = _mm_slli_epi32(t3, 1);
	t6 = _mm_slli_epi32(t6, 1);
	t9 = _mm_srli_si128(t7, 12);
	t8 = _mm_slli_si128(t8, 4);
	t7 = _mm_slli_si128(t7, 4);
	t3 = _mm_or_si128(t3, t7);
	t6 = _mm_or_si128(t6, t8);
	t6 = _mm_or_si128(t6, t9);

	t7 = _mm_slli_epi32(t3, 31);
	t8 = _mm_slli_epi32(t3, 30);
	t9 = _mm_slli_epi32(t3, 25);
	t7 = _mm_xor_si128(t7, t8);
	t7 = _mm_xor_si128(t7, t9);
	t8 = _mm_srli_si128(t7, 4);
	t7 = _mm_slli_si128(t7, 12);
	t3 = _mm_xor_si128(t3, t7);

	t2 = _mm_srli_epi32(t3, 1);
	t4 = _mm_srli_epi32(t3, 2);
	t5 = _mm_srli_epi32(t3, 7);
	t2 = _mm_xor_si128(t2, t4);
	t2 = _mm_xor_si128(t2, t5);
	t2 = _mm_xor_si128(t2, t8);
	t3 = _mm_xor_si128(t3, t2);
	return _mm_xor_si128(t6, t3);
}

/* adds x * h to the unreduced sum (lo, mid, hi) */
#define CLMUL_ACC(x, hp) do {						\
	__m128i h_ = (hp);						\
	lo = _mm_xor_si128(lo, _mm_clmulepi64_si128((x), h_, 0x00));	\
	hi = _mm_xor_si128(hi, _mm_clmulepi64_si128((x), h_, 0x11));	\
	mid = _mm_xor_si128(mid, _mm_clmulepi64_si128((x), h_, 0x01));	\
	mid = _mm_xor_si128(mid, _mm_clmulepi64_si128((x), h_, 0x10));	\
} while (0)

INLINE_AES __m128i
gf_mul(__m128i a, __m128i b)
{
	__m128i	lo = _mm_setzero_si128(), mid = lo, hi = lo;

	CLMUL_ACC(a, b);
	return gf_reduce(lo, mid, hi);
}

INLINE_AES __m128i
bswap128(__m128i x)
{
	return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	    10, 11, 12, 13, 14, 15));
}

/* swaps the bytes of the last 32-bit word: the counter, big-endian <-> native */
INLINE_AES __m128i
ctr_swap(__m128i x)
{
	return _mm_shuffle_epi8(x, _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	    10, 11, 15, 14, 13, 12));
}

INLINE_AES __m128i
aes_block(const __m128i *rk, __m128i x)
{
	int	i;

	x = _mm_xor_si128(x, rk[0]);
	for (i = 1; i < 14; i++)
		x = _mm_aesenc_si128(x, rk[i]);
	return _mm_aesenclast_si128(x, rk[14]);
}

TARGET_AES static void
gcm_fast_init(struct gcm256 *g, const uint8_t key[32])
{
	__m128i	t1, t3, h;
	int	i;

	t1 = _mm_loadu_si128((const __m128i *)key);
	t3 = _mm_loadu_si128((const __m128i *)(key + 16));
	g->rk[0] = t1;
	g->rk[1] = t3;
#define KEY_STEP(i, rcon) do {						\
	t1 = key_assist1(t1, _mm_aeskeygenassist_si128(t3, (rcon)));	\
	g->rk[i] = t1;							\
	t3 = key_assist2(t1, t3);					\
	g->rk[(i) + 1] = t3;						\
} while (0)
	KEY_STEP(2, 0x01);
	KEY_STEP(4, 0x02);
	KEY_STEP(6, 0x04);
	KEY_STEP(8, 0x08);
	KEY_STEP(10, 0x10);
	KEY_STEP(12, 0x20);
	g->rk[14] = key_assist1(t1, _mm_aeskeygenassist_si128(t3, 0x40));
#undef KEY_STEP

	h = bswap128(aes_block(g->rk, _mm_setzero_si128()));
	g->h[0] = h;
	for (i = 1; i < 8; i++)
		g->h[i] = gf_mul(g->h[i - 1], h);
}

/* y updated with the blocks of p, the last one zero-padded */
INLINE_AES __m128i
ghash(const struct gcm256 *g, __m128i y, const uint8_t *p, size_t n)
{
	__m128i	lo, mid, hi, x;
	uint8_t	last[16];
	int	i;

	for (; n >= 128; n -= 128, p += 128) {
		lo = mid = hi = _mm_setzero_si128();
		for (i = 0; i < 8; i++) {
			x = bswap128(_mm_loadu_si128((const __m128i *)(p + 16 * i)));
			if (i == 0)
				x = _mm_xor_si128(x, y);
			CLMUL_ACC(x, g->h[7 - i]);
		}
		y = gf_reduce(lo, mid, hi);
	}
	for (; n >= 16; n -= 16, p += 16) {
		x = bswap128(_mm_loadu_si128((const __m128i *)p));
		y = gf_mul(_mm_xor_si128(y, x), g->h[0]);
	}
	if (n > 0) {
		memset(last, 0, sizeof last);
		memcpy(last, p, n);
		x = bswap128(_mm_loadu_si128((const __m128i *)last));
		y = gf_mul(_mm_xor_si128(y, x), g->h[0]);
	}
	return y;
}

#define AES_ROUND8(k) do {						\
	__m128i k_ = (k);						\
	b0 = _mm_aesenc_si128(b0, k_); b1 = _mm_aesenc_si128(b1, k_);	\
	b2 = _mm_aesenc_si128(b2, k_); b3 = _mm_aesenc_si128(b3, k_);	\
	b4 = _mm_aesenc_si128(b4, k_); b5 = _mm_aesenc_si128(b5, k_);	\
	b6 = _mm_aesenc_si128(b6, k_); b7 = _mm_aesenc_si128(b7, k_);	\
} while (0)

/*
 * One pass of CTR and GHASH; GHASH runs over the ciphertext: OUT when
 * encrypting, IN when decrypting.  Every input block is in a register
 * before its output is stored, so OUT may be IN.
 */
INLINE_AES void
gcm_fast(const struct gcm256 *g, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16],
    int decrypt)
{
	const __m128i	*rk = g->rk;
	const __m128i	 one = _mm_set_epi32(1, 0, 0, 0);
	__m128i		 j0, ctr, y, lo, mid, hi, k, x;
	__m128i		 b0, b1, b2, b3, b4, b5, b6, b7;
	__m128i		 c0, c1, c2, c3, c4, c5, c6, c7;
	uint8_t		 blk[16];
	size_t		 n = len;
	int		 i;

	memcpy(blk, nonce, 12);
	blk[12] = blk[13] = blk[14] = 0;
	blk[15] = 1;
	j0 = _mm_loadu_si128((const __m128i *)blk);
	ctr = ctr_swap(j0);			/* counter 1, native order */

	y = ghash(g, _mm_setzero_si128(), aad, aadlen);

	for (; n >= 128; n -= 128, in += 128, out += 128) {
		b0 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(1, 0, 0, 0)));
		b1 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(2, 0, 0, 0)));
		b2 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(3, 0, 0, 0)));
		b3 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(4, 0, 0, 0)));
		b4 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(5, 0, 0, 0)));
		b5 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(6, 0, 0, 0)));
		b6 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(7, 0, 0, 0)));
		b7 = ctr_swap(_mm_add_epi32(ctr, _mm_set_epi32(8, 0, 0, 0)));
		ctr = _mm_add_epi32(ctr, _mm_set_epi32(8, 0, 0, 0));

		k = rk[0];
		b0 = _mm_xor_si128(b0, k); b1 = _mm_xor_si128(b1, k);
		b2 = _mm_xor_si128(b2, k); b3 = _mm_xor_si128(b3, k);
		b4 = _mm_xor_si128(b4, k); b5 = _mm_xor_si128(b5, k);
		b6 = _mm_xor_si128(b6, k); b7 = _mm_xor_si128(b7, k);

		c0 = _mm_loadu_si128((const __m128i *)(in + 0));
		c1 = _mm_loadu_si128((const __m128i *)(in + 16));
		c2 = _mm_loadu_si128((const __m128i *)(in + 32));
		c3 = _mm_loadu_si128((const __m128i *)(in + 48));
		c4 = _mm_loadu_si128((const __m128i *)(in + 64));
		c5 = _mm_loadu_si128((const __m128i *)(in + 80));
		c6 = _mm_loadu_si128((const __m128i *)(in + 96));
		c7 = _mm_loadu_si128((const __m128i *)(in + 112));

		lo = mid = hi = _mm_setzero_si128();
		if (decrypt) {
			/* the ciphertext is at hand: hash it between the rounds */
			AES_ROUND8(rk[1]);
			CLMUL_ACC(_mm_xor_si128(bswap128(c0), y), g->h[7]);
			AES_ROUND8(rk[2]);
			CLMUL_ACC(bswap128(c1), g->h[6]);
			AES_ROUND8(rk[3]);
			CLMUL_ACC(bswap128(c2), g->h[5]);
			AES_ROUND8(rk[4]);
			CLMUL_ACC(bswap128(c3), g->h[4]);
			AES_ROUND8(rk[5]);
			CLMUL_ACC(bswap128(c4), g->h[3]);
			AES_ROUND8(rk[6]);
			CLMUL_ACC(bswap128(c5), g->h[2]);
			AES_ROUND8(rk[7]);
			CLMUL_ACC(bswap128(c6), g->h[1]);
			AES_ROUND8(rk[8]);
			CLMUL_ACC(bswap128(c7), g->h[0]);
			for (i = 9; i < 14; i++)
				AES_ROUND8(rk[i]);
			y = gf_reduce(lo, mid, hi);
		} else {
			for (i = 1; i < 14; i++)
				AES_ROUND8(rk[i]);
		}
		k = rk[14];
		b0 = _mm_xor_si128(_mm_aesenclast_si128(b0, k), c0);
		b1 = _mm_xor_si128(_mm_aesenclast_si128(b1, k), c1);
		b2 = _mm_xor_si128(_mm_aesenclast_si128(b2, k), c2);
		b3 = _mm_xor_si128(_mm_aesenclast_si128(b3, k), c3);
		b4 = _mm_xor_si128(_mm_aesenclast_si128(b4, k), c4);
		b5 = _mm_xor_si128(_mm_aesenclast_si128(b5, k), c5);
		b6 = _mm_xor_si128(_mm_aesenclast_si128(b6, k), c6);
		b7 = _mm_xor_si128(_mm_aesenclast_si128(b7, k), c7);
		_mm_storeu_si128((__m128i *)(out + 0), b0);
		_mm_storeu_si128((__m128i *)(out + 16), b1);
		_mm_storeu_si128((__m128i *)(out + 32), b2);
		_mm_storeu_si128((__m128i *)(out + 48), b3);
		_mm_storeu_si128((__m128i *)(out + 64), b4);
		_mm_storeu_si128((__m128i *)(out + 80), b5);
		_mm_storeu_si128((__m128i *)(out + 96), b6);
		_mm_storeu_si128((__m128i *)(out + 112), b7);
		if (!decrypt) {
			CLMUL_ACC(_mm_xor_si128(bswap128(b0), y), g->h[7]);
			CLMUL_ACC(bswap128(b1), g->h[6]);
			CLMUL_ACC(bswap128(b2), g->h[5]);
			CLMUL_ACC(bswap128(b3), g->h[4]);
			CLMUL_ACC(bswap128(b4), g->h[3]);
			CLMUL_ACC(bswap128(b5), g->h[2]);
			CLMUL_ACC(bswap128(b6), g->h[1]);
			CLMUL_ACC(bswap128(b7), g->h[0]);
			y = gf_reduce(lo, mid, hi);
		}
	}
	for (; n > 0; n -= i, in += i, out += i) {
		i = n < 16 ? (int)n : 16;
		ctr = _mm_add_epi32(ctr, one);
		k = aes_block(rk, ctr_swap(ctr));
		memset(blk, 0, sizeof blk);
		memcpy(blk, in, (size_t)i);
		x = _mm_loadu_si128((const __m128i *)blk);
		if (decrypt)
			y = gf_mul(_mm_xor_si128(y, bswap128(x)), g->h[0]);
		x = _mm_xor_si128(x, k);
		_mm_storeu_si128((__m128i *)blk, x);
		memcpy(out, blk, (size_t)i);
		if (!decrypt) {
			memset(blk + i, 0, sizeof blk - (size_t)i);
			x = _mm_loadu_si128((const __m128i *)blk);
			y = gf_mul(_mm_xor_si128(y, bswap128(x)), g->h[0]);
		}
	}

	/* lengths in bits; byte-reflected: C in the low half, AAD in the high */
	x = _mm_set_epi64x((long long)((uint64_t)aadlen * 8),
	    (long long)((uint64_t)len * 8));
	y = gf_mul(_mm_xor_si128(y, x), g->h[0]);
	x = _mm_xor_si128(bswap128(y), aes_block(rk, j0));
	_mm_storeu_si128((__m128i *)tag, x);
	mbedtls_platform_zeroize(blk, sizeof blk);
}

TARGET_AES static void
gcm_fast_seal(const struct gcm256 *g, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	gcm_fast(g, nonce, aad, aadlen, in, len, out, tag, 0);
}

TARGET_AES static void
gcm_fast_open(const struct gcm256 *g, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	gcm_fast(g, nonce, aad, aadlen, in, len, out, tag, 1);
}
#endif /* FC_X86 */

struct gcm256 *
gcm256_new(const uint8_t key[32])
{
	struct gcm256	*g;
	size_t		 size = (sizeof *g + 63) / 64 * 64;

	if ((g = aligned_alloc(64, size)) == NULL)
		return NULL;
	memset(g, 0, size);
#ifdef FC_X86
	if (features() & FC_GCM) {
		g->fast = 1;
		gcm_fast_init(g, key);
		return g;
	}
#endif
	mbedtls_gcm_init(&g->mb);
	if (mbedtls_gcm_setkey(&g->mb, MBEDTLS_CIPHER_ID_AES, key, 256) != 0) {
		gcm256_free(g);
		return NULL;
	}
	return g;
}

void
gcm256_free(struct gcm256 *g)
{
	if (g == NULL)
		return;
	if (!g->fast)
		mbedtls_gcm_free(&g->mb);
	mbedtls_platform_zeroize(g, sizeof *g);
	free(g);
}

/*
 * mbedTLS: its decryption may not write over its input (gcm.h), so
 * decryption goes through a bounce buffer.  TAG gets the computed tag.
 */
static int
gcm_generic(struct gcm256 *g, int mode, const uint8_t nonce[12],
    const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
    uint8_t *out, uint8_t tag[16])
{
	uint8_t	bounce[4096];
	size_t	k;
	int	bounced = mode == MBEDTLS_GCM_DECRYPT && len > 0, rc;

	rc = mbedtls_gcm_starts(&g->mb, mode, nonce, 12, aad, aadlen);
	while (rc == 0 && len > 0) {
		k = len < sizeof bounce ? len : sizeof bounce;
		if (bounced)
			memcpy(bounce, in, k);
		rc = mbedtls_gcm_update(&g->mb, k, bounced ? bounce : in, out);
		in += k;
		out += k;
		len -= k;
	}
	if (bounced)
		mbedtls_platform_zeroize(bounce, sizeof bounce);
	if (rc == 0)
		rc = mbedtls_gcm_finish(&g->mb, tag, 16);
	return rc == 0 ? 0 : -1;
}

int
gcm256_seal(struct gcm256 *g, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
	if ((uint64_t)len > GCM256_MAX_LEN || (uint64_t)aadlen >> 61 != 0)
		return -1;
#ifdef FC_X86
	if (g->fast) {
		gcm_fast_seal(g, nonce, aad, aadlen, in, len, out, tag);
		return 0;
	}
#endif
	return gcm_generic(g, MBEDTLS_GCM_ENCRYPT, nonce, aad, aadlen, in, len,
	    out, tag);
}

int
gcm256_open(struct gcm256 *g, const uint8_t nonce[12], const uint8_t *aad,
    size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
    const uint8_t tag[16])
{
	uint8_t	want[16];
	int	rc = 0;

	if ((uint64_t)len > GCM256_MAX_LEN || (uint64_t)aadlen >> 61 != 0)
		rc = -1;
#ifdef FC_X86
	else if (g->fast)
		gcm_fast_open(g, nonce, aad, aadlen, in, len, out, want);
#endif
	else
		rc = gcm_generic(g, MBEDTLS_GCM_DECRYPT, nonce, aad, aadlen, in,
		    len, out, want);
	if (rc != 0 || tag_differs(want, tag)) {
		if (len > 0)
			mbedtls_platform_zeroize(out, len);
		rc = -1;
	}
	mbedtls_platform_zeroize(want, sizeof want);
	return rc;
}
