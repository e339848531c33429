/* t-fastcrypto.c - SHA-256 and AES-256-GCM of store/fastcrypto.c, both paths */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/sha256.h>

#include "../../store/fastcrypto.h"
#include "unit.h"

static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	uint64_t	x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void
fill(uint8_t *p, size_t n)
{
	while (n-- > 0)
		*p++ = (uint8_t)(rnd() >> 24);
}

static size_t
unhex(const char *s, uint8_t *out)
{
	char	two[3] = { 0 };
	size_t	n = 0;

	for (; s[0] != '\0' && s[1] != '\0'; s += 2) {
		memcpy(two, s, 2);
		out[n++] = (uint8_t)strtoul(two, NULL, 16);
	}
	return n;
}

static int
is_zero(const uint8_t *p, size_t n)
{
	while (n-- > 0)
		if (*p++ != 0)
			return 0;
	return 1;
}

static void
check_hex(const uint8_t *got, size_t n, const char *want_hex, int line)
{
	uint8_t	want[256];

	if (unhex(want_hex, want) != n || memcmp(got, want, n) != 0) {
		fprintf(stderr, "    # t-fastcrypto.c:%d: %s: bytes differ\n", line,
		    fastcrypto_impl());
		unit_failures++;
	}
}
#define CHECK_HEX(got, n, hex)	check_hex((got), (n), (hex), __LINE__)

/* ------------------------------------------------------------------ */

static void
sha256_kat(void)
{
	static const char	m448[] =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char	m896[] =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	struct sha256_ctx	c;
	uint8_t			d[32], *a;
	size_t			i;

	sha256("", 0, d);
	CHECK_HEX(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256(NULL, 0, d);
	CHECK_HEX(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256("abc", 3, d);
	CHECK_HEX(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256(m448, strlen(m448), d);
	CHECK_HEX(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha256(m896, strlen(m896), d);
	CHECK_HEX(d, 32, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

	/* one million 'a': in one piece, then streamed 1000 at a time */
	a = malloc(1000000);
	CHECK(a != NULL);
	memset(a, 'a', 1000000);
	sha256(a, 1000000, d);
	CHECK_HEX(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, a, 1000);
	sha256_final(&c, d);
	CHECK_HEX(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* every length 0..600, some large ones; one piece and odd pieces */
static void
sha256_cross(void)
{
	static const size_t	big[] = { 4095, 4096, 65536 + 55, 1 << 20,
				    (1 << 20) + 13, 3 * (1 << 20) + 63 };
	struct sha256_ctx	c;
	uint8_t			*buf, want[32], got[32];
	size_t			len, off, k, i, bad = 0;

	buf = malloc(big[5] + 8);
	CHECK(buf != NULL);
	fill(buf, big[5] + 8);
	for (i = 0; i <= 600 + sizeof big / sizeof big[0]; i++) {
		len = i <= 600 ? i : big[i - 601];
		/* an odd start, so the blocks are unaligned */
		mbedtls_sha256_ret(buf + (i & 7), len, want, 0);
		sha256(buf + (i & 7), len, got);
		bad += memcmp(got, want, 32) != 0;
		sha256_init(&c);
		for (off = 0; off < len; off += k) {
			k = (size_t)(rnd() % (i <= 600 ? 70 : 200000)) + 1;
			if (k > len - off)
				k = len - off;
			sha256_update(&c, buf + (i & 7) + off, k);
			if (rnd() % 4 == 0)
				sha256_update(&c, buf, 0);
		}
		sha256_final(&c, got);
		bad += memcmp(got, want, 32) != 0;
	}
	CHECK_INT(bad, 0);
	free(buf);
}

/* ------------------------------------------------------------------ */

struct gcm_kat {
	const char	*key, *iv, *pt, *aad, *ct, *tag;
};

/* McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13-16 */
static const struct gcm_kat	gcm_kats[] = {
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "", "", "",
	  "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "0000000000000000000000000000000000000000000000000000000000000000",
	  "000000000000000000000000", "00000000000000000000000000000000", "",
	  "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	  "",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
	  "cafebabefacedbaddecaf888",
	  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	  "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	  "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void
gcm_kat(void)
{
	uint8_t		key[32], iv[12], pt[64], aad[32], ct[64], tag[16], out[64];
	size_t		i, ptlen, aadlen;
	struct gcm256	*g;

	for (i = 0; i < sizeof gcm_kats / sizeof gcm_kats[0]; i++) {
		CHECK(unhex(gcm_kats[i].key, key) == 32);
		CHECK(unhex(gcm_kats[i].iv, iv) == 12);
		ptlen = unhex(gcm_kats[i].pt, pt);
		aadlen = unhex(gcm_kats[i].aad, aad);
		CHECK((g = gcm256_new(key)) != NULL);
		if (g == NULL)
			continue;
		CHECK(gcm256_seal(g, iv, aadlen ? aad : NULL, aadlen,
		    ptlen ? pt : NULL, ptlen, ct, tag) == 0);
		CHECK_HEX(ct, ptlen, gcm_kats[i].ct);
		CHECK_HEX(tag, 16, gcm_kats[i].tag);
		memset(out, 0xa5, sizeof out);
		CHECK(gcm256_open(g, iv, aad, aadlen, ct, ptlen, out, tag) == 0);
		CHECK(memcmp(out, pt, ptlen) == 0);
		/* in place */
		CHECK(gcm256_seal(g, iv, aad, aadlen, pt, ptlen, pt, tag) == 0);
		CHECK_HEX(pt, ptlen, gcm_kats[i].ct);
		CHECK(gcm256_open(g, iv, aad, aadlen, pt, ptlen, pt, tag) == 0);
		CHECK(memcmp(out, pt, ptlen) == 0);
		gcm256_free(g);
	}
}

/* seals with gcm256 and with mbedTLS, opens both ways; 0 when all agree */
static int
gcm_one(struct gcm256 *g, mbedtls_gcm_context *ref, size_t len, size_t aadlen,
    uint8_t *pt, uint8_t *ct, uint8_t *out, uint8_t *aad)
{
	uint8_t	nonce[12], tag[16], rtag[16];
	int	bad = 0;

	fill(nonce, sizeof nonce);
	fill(pt, len);
	fill(aad, aadlen);
	if (mbedtls_gcm_crypt_and_tag(ref, MBEDTLS_GCM_ENCRYPT, len, nonce, 12,
	    aad, aadlen, pt, out, 16, rtag) != 0)
		return 1;
	/* out of place */
	bad |= gcm256_seal(g, nonce, aad, aadlen, pt, len, ct, tag) != 0;
	bad |= memcmp(ct, out, len) != 0 || memcmp(tag, rtag, 16) != 0;
	memset(out, 0x5a, len);
	bad |= gcm256_open(g, nonce, aad, aadlen, ct, len, out, tag) != 0;
	bad |= memcmp(out, pt, len) != 0;
	/* in place */
	memcpy(out, pt, len);
	bad |= gcm256_seal(g, nonce, aad, aadlen, out, len, out, tag) != 0;
	bad |= memcmp(ct, out, len) != 0 || memcmp(tag, rtag, 16) != 0;
	bad |= gcm256_open(g, nonce, aad, aadlen, out, len, out, tag) != 0;
	bad |= memcmp(out, pt, len) != 0;
	return bad;
}

static void
gcm_cross(void)
{
	static const size_t	aads[] = { 0, 1, 12, 13, 16, 17, 31, 64, 127,
				    128, 129, 200, 1000 };
	static const size_t	big[] = { 1024, 2048 + 16 * 7 + 5, 65536 - 1,
				    1 << 20, (1 << 20) + 13, (1 << 20) + 127 };
	mbedtls_gcm_context	ref;
	struct gcm256		*g = NULL;
	uint8_t			key[32], aad[1000], *pt, *ct, *out;
	size_t			len, aadlen, i, bad = 0, maxlen = (1 << 20) + 127;

	pt = malloc(maxlen + 16);
	ct = malloc(maxlen + 16);
	out = malloc(maxlen + 16);
	CHECK(pt != NULL && ct != NULL && out != NULL);
	for (i = 0; i <= 600 + sizeof big / sizeof big[0]; i++) {
		len = i <= 600 ? i : big[i - 601];
		aadlen = aads[i % (sizeof aads / sizeof aads[0])];
		if (i % 50 == 0 || i > 600) {	/* a fresh key now and then */
			fill(key, 32);
			if (i > 0) {
				gcm256_free(g);
				mbedtls_gcm_free(&ref);
			}
			g = gcm256_new(key);
			CHECK(g != NULL);
			mbedtls_gcm_init(&ref);
			CHECK(mbedtls_gcm_setkey(&ref, MBEDTLS_CIPHER_ID_AES, key,
			    256) == 0);
		}
		if (gcm_one(g, &ref, len, aadlen, pt, ct, out, aad) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "    # %s: len %zu aad %zu differs\n",
				    fastcrypto_impl(), len, aadlen);
		}
		/* unaligned buffers */
		if (i % 7 == 0 && len > 0 && gcm_one(g, &ref, len - 1, aadlen > 0 ?
		    aadlen - 1 : 0, pt + 1, ct + 3, out + 1, aad + 1) != 0)
			bad++;
	}
	gcm256_free(g);
	mbedtls_gcm_free(&ref);
	CHECK_INT(bad, 0);
	free(pt);
	free(ct);
	free(out);
}

/* a tampered byte anywhere: -1, and no plaintext left in the output */
static void
gcm_tamper(void)
{
	static const size_t	lens[] = { 0, 1, 15, 16, 17, 128, 129, 300, 4096 + 3 };
	uint8_t			key[32], nonce[12], aad[40], tag[16], *pt, *ct, *out;
	struct gcm256		*g;
	size_t			i, len, pos, bad = 0;

	fill(key, 32);
	CHECK((g = gcm256_new(key)) != NULL);
	pt = malloc(5000);
	ct = malloc(5000);
	out = malloc(5000);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		len = lens[i];
		fill(nonce, 12);
		fill(aad, sizeof aad);
		fill(pt, len);
		CHECK(gcm256_seal(g, nonce, aad, sizeof aad, pt, len, ct, tag) == 0);
#define EXPECT_FAIL(in_) do {						\
	memset(out, 0x77, len + 1);					\
	bad += gcm256_open(g, nonce, aad, sizeof aad, (in_), len, out, tag) != -1; \
	bad += !is_zero(out, len) || out[len] != 0x77;			\
} while (0)
		if (len > 0) {
			pos = (size_t)(rnd() % len);
			ct[pos] ^= 0x01;
			EXPECT_FAIL(ct);
			/* in place: the tampered ciphertext is zeroed too */
			memcpy(out, ct, len);
			bad += gcm256_open(g, nonce, aad, sizeof aad, out, len, out,
			    tag) != -1;
			bad += !is_zero(out, len);
			ct[pos] ^= 0x01;
		}
		tag[i % 16] ^= 0x80;
		EXPECT_FAIL(ct);
		tag[i % 16] ^= 0x80;
		aad[i % sizeof aad] ^= 0x10;
		EXPECT_FAIL(ct);
		aad[i % sizeof aad] ^= 0x10;
		nonce[i % 12] ^= 0x02;
		EXPECT_FAIL(ct);
		nonce[i % 12] ^= 0x02;
		/* a shorter AAD, or none */
		memset(out, 0x77, len);
		bad += gcm256_open(g, nonce, aad, sizeof aad - 1, ct, len, out, tag) != -1;
		bad += gcm256_open(g, nonce, NULL, 0, ct, len, out, tag) != -1;
		bad += !is_zero(out, len);
		/* and untouched it still opens */
		bad += gcm256_open(g, nonce, aad, sizeof aad, ct, len, out, tag) != 0;
		bad += memcmp(out, pt, len) != 0;
#undef EXPECT_FAIL
	}
	CHECK_INT(bad, 0);
	gcm256_free(g);
	free(pt);
	free(ct);
	free(out);
}

/* separate contexts in separate threads */
static void *
gcm_thread(void *arg)
{
	uint8_t		key[32], nonce[12] = { 0 }, tag[32], buf[3000], copy[3000];
	struct gcm256	*g;
	size_t		i, bad = 0;

	memset(key, (int)(uintptr_t)arg, sizeof key);
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + (uintptr_t)arg);
	memcpy(copy, buf, sizeof buf);
	if ((g = gcm256_new(key)) == NULL)
		return (void *)1;
	for (i = 0; i < 300; i++) {
		nonce[0] = (uint8_t)i;
		bad += gcm256_seal(g, nonce, key, i % 33, buf, sizeof buf - i, buf,
		    tag) != 0;
		bad += gcm256_open(g, nonce, key, i % 33, buf, sizeof buf - i, buf,
		    tag) != 0;
		bad += memcmp(buf, copy, sizeof buf) != 0;
		sha256(buf, i, tag);
	}
	gcm256_free(g);
	return (void *)(uintptr_t)(bad != 0);
}

static void
gcm_threads(void)
{
	pthread_t	t[4];
	void		*rv;
	uintptr_t	i;

	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, gcm_thread, (void *)(i + 1)) == 0);
	for (i = 0; i < 4; i++) {
		CHECK(pthread_join(t[i], &rv) == 0);
		CHECK(rv == NULL);
	}
}

static void
all_checks(void)
{
	sha256_kat();
	sha256_cross();
	gcm_kat();
	gcm_cross();
	gcm_tamper();
	gcm_threads();
}

/* The CPU's instructions, checked against mbedTLS; a CPU without them
 * runs only the mbedTLS path, which test_generic covers. */
static void
test_detected(void)
{
	if (strcmp(fastcrypto_impl(), "mbedtls") == 0)
		SKIP("this CPU has neither SHA-NI nor AES-NI with PCLMULQDQ");
	fprintf(stderr, "    # fastcrypto: %s\n", fastcrypto_impl());
	all_checks();
}

static void
test_generic(void)
{
	fastcrypto_force_generic(1);
	CHECK_STR(fastcrypto_impl(), "mbedtls");
	all_checks();
	fastcrypto_force_generic(0);
}

/* a context keeps the implementation it was made with */
static void
test_switching(void)
{
	uint8_t		key[32], nonce[12], ct[100], tag[16], tag2[16], pt[100];
	struct gcm256	*a, *b;

	fill(key, 32);
	fill(nonce, 12);
	fill(pt, sizeof pt);
	a = gcm256_new(key);
	fastcrypto_force_generic(1);
	b = gcm256_new(key);
	CHECK(a != NULL && b != NULL);
	CHECK(gcm256_seal(a, nonce, NULL, 0, pt, sizeof pt, ct, tag) == 0);
	fastcrypto_force_generic(0);
	CHECK(gcm256_seal(b, nonce, NULL, 0, pt, sizeof pt, ct, tag2) == 0);
	CHECK(memcmp(tag, tag2, 16) == 0);
	CHECK(gcm256_open(a, nonce, NULL, 0, ct, sizeof ct, ct, tag) == 0);
	CHECK(memcmp(ct, pt, sizeof pt) == 0);
	gcm256_free(a);
	gcm256_free(b);
	gcm256_free(NULL);
}

UNIT_SUITE(fastcrypto_tests) = {
	UNIT_TEST(detected),
	UNIT_TEST(generic),
	UNIT_TEST(switching),
	{ NULL, NULL },
};
