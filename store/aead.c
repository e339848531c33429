/*
 * aead.c - the encrypted store stream: header with key slots, then chunks
 * of AES-256-GCM.  See store.h and docs/store-format.md.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/gcm.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#include "../interp/util.h"
#include "store-int.h"

#define MAGIC		"TSISTOR1"
#define MAGIC_LEN	8
#define ID_LEN		16
#define TAG_LEN		16
#define SLOT_TYPE_X25519 1
#define SLOT_LEN	(1 + 8 + 32 + 32 + TAG_LEN)
#define FIXED_LEN	(MAGIC_LEN + 4 + 2 + 2 + ID_LEN)
#define FLAG_LAST	1

static const char	slot_info[] = "tsi-store-v1 key slot";
static const char	slot_aad[] = "tsi-store-v1";

struct store_writer {
	store_sink_fn		 sink;
	void			*ctx;
	mbedtls_gcm_context	 gcm;
	uint8_t			 header_hash[32];
	uint8_t			*plain, *cipher;
	size_t			 chunk, used;
	uint64_t		 counter;
};

struct store_reader {
	store_source_fn		 source;
	void			*ctx;
	mbedtls_gcm_context	 gcm;
	uint8_t			 header_hash[32];
	uint8_t			*plain, *cipher;
	size_t			 chunk, len, pos;
	uint64_t		 counter;
	int			 ended;
	char			 recipients[STORE_MAX_RECIPIENTS * 18 + 1];
};

/* The first 8 bytes of SHA-256 of a public key: which slot is whose. */
static void
key_id_raw(const uint8_t pub[32], uint8_t out[8])
{
	uint8_t	sum[32];

	mbedtls_sha256_ret(pub, 32, sum, 0);
	memcpy(out, sum, 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
chunk_nonce(uint64_t counter, int last, uint8_t nonce[12])
{
	int	i;

	for (i = 0; i < 8; i++)
		nonce[i] = (uint8_t)(counter >> (56 - 8 * i));
	put32(nonce + 8, last ? FLAG_LAST : 0);
}

/* AAD of a chunk: the header's hash and the chunk's length. */
static void
chunk_aad(const uint8_t hash[32], uint32_t len, uint8_t aad[36])
{
	memcpy(aad, hash, 32);
	put32(aad + 32, len);
}

/* The key that wraps the data key for one recipient. */
static int
slot_kek(const uint8_t shared[32], const uint8_t id[ID_LEN], const uint8_t eph[32],
    const uint8_t rcpt[32], uint8_t kek[32])
{
	uint8_t	info[sizeof slot_info - 1 + 64];

	memcpy(info, slot_info, sizeof slot_info - 1);
	memcpy(info + sizeof slot_info - 1, eph, 32);
	memcpy(info + sizeof slot_info - 1 + 32, rcpt, 32);
	return mbedtls_hkdf(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), id, ID_LEN,
	    shared, 32, info, sizeof info, kek, 32) == 0 ? 0 : -1;
}

static int
gcm_once(int decrypt, const uint8_t key[32], const uint8_t *in, size_t len,
    uint8_t *out, uint8_t tag[TAG_LEN])
{
	mbedtls_gcm_context	gcm;
	uint8_t			nonce[12] = { 0 };	/* each key wraps one thing */
	int			r;

	mbedtls_gcm_init(&gcm);
	r = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
	if (r == 0 && decrypt)
		r = mbedtls_gcm_auth_decrypt(&gcm, len, nonce, 12,
		    (const uint8_t *)slot_aad, sizeof slot_aad - 1, tag, TAG_LEN, in, out);
	else if (r == 0)
		r = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, len, nonce, 12,
		    (const uint8_t *)slot_aad, sizeof slot_aad - 1, in, out, TAG_LEN, tag);
	mbedtls_gcm_free(&gcm);
	return r == 0 ? 0 : -1;
}

static int
writer_fail(struct store_writer *w, char **err, const char *msg)
{
	(void)w;
	*err = xstrdup(msg);
	return -1;
}

int
store_writer_open(struct store_writer **out, store_sink_fn sink, void *ctx,
    const struct identity *rcpt, size_t n, size_t chunk, char **err)
{
	struct store_writer	*w;
	uint8_t			 dkey[32], eph[32], ephpub[32], shared[32], kek[32];
	uint8_t			*hdr, *slot;
	size_t			 hlen, i;
	int			 r = -1;

	*out = NULL;
	if (n == 0 || n > STORE_MAX_RECIPIENTS) {
		*err = xasprintf("a store has 1 to %d recipients", STORE_MAX_RECIPIENTS);
		return -1;
	}
	if (chunk == 0)
		chunk = STORE_DEFAULT_CHUNK;
	if (chunk > STORE_MAX_CHUNK)
		chunk = STORE_MAX_CHUNK;
	w = xcalloc(1, sizeof *w);
	w->sink = sink;
	w->ctx = ctx;
	w->chunk = chunk;
	w->plain = xmalloc(chunk);
	w->cipher = xmalloc(chunk + 4 + TAG_LEN);
	mbedtls_gcm_init(&w->gcm);
	hlen = FIXED_LEN + n * SLOT_LEN;
	hdr = xcalloc(1, hlen);
	memcpy(hdr, MAGIC, MAGIC_LEN);
	put32(hdr + MAGIC_LEN, (uint32_t)chunk);
	hdr[MAGIC_LEN + 4] = (uint8_t)(n >> 8);
	hdr[MAGIC_LEN + 5] = (uint8_t)n;
	if (store_rng(NULL, hdr + MAGIC_LEN + 8, ID_LEN) == -1 ||
	    store_rng(NULL, dkey, sizeof dkey) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		slot = hdr + FIXED_LEN + i * SLOT_LEN;
		slot[0] = SLOT_TYPE_X25519;
		key_id_raw(rcpt[i].x25519_pub, slot + 1);
		if (x25519_generate(eph) == -1 || x25519(eph, NULL, ephpub) == -1 ||
		    x25519(eph, rcpt[i].x25519_pub, shared) == -1 ||
		    slot_kek(shared, hdr + MAGIC_LEN + 8, ephpub, rcpt[i].x25519_pub,
		    kek) == -1 ||
		    gcm_once(0, kek, dkey, 32, slot + 41, slot + 73) == -1)
			goto out;
		memcpy(slot + 9, ephpub, 32);
	}
	mbedtls_sha256_ret(hdr, hlen, w->header_hash, 0);
	if (mbedtls_gcm_setkey(&w->gcm, MBEDTLS_CIPHER_ID_AES, dkey, 256) != 0)
		goto out;
	if (sink(ctx, hdr, hlen) == -1) {
		writer_fail(w, err, "cannot write the store's header");
		goto out_nomsg;
	}
	r = 0;
out:
	if (r == -1)
		*err = xstrdup("cannot set up the store's encryption");
out_nomsg:
	mbedtls_platform_zeroize(dkey, sizeof dkey);
	mbedtls_platform_zeroize(eph, sizeof eph);
	mbedtls_platform_zeroize(shared, sizeof shared);
	mbedtls_platform_zeroize(kek, sizeof kek);
	free(hdr);
	if (r == -1)
		store_writer_abort(w);
	else
		*out = w;
	return r;
}

static int
emit_chunk(struct store_writer *w, int last, char **err)
{
	uint8_t	nonce[12], aad[36];
	size_t	len = w->used;

	chunk_nonce(w->counter, last, nonce);
	chunk_aad(w->header_hash, (uint32_t)len, aad);
	put32(w->cipher, (uint32_t)len);
	if (mbedtls_gcm_crypt_and_tag(&w->gcm, MBEDTLS_GCM_ENCRYPT, len, nonce, 12,
	    aad, sizeof aad, w->plain, w->cipher + 4, TAG_LEN, w->cipher + 4 + len) != 0)
		return writer_fail(w, err, "encryption failed");
	if (w->sink(w->ctx, w->cipher, 4 + len + TAG_LEN) == -1)
		return writer_fail(w, err, "cannot write to the store");
	w->counter++;
	w->used = 0;
	return 0;
}

int
store_writer_write(struct store_writer *w, const void *data, size_t len, char **err)
{
	const uint8_t	*p = data;
	size_t		 take;

	while (len > 0) {
		if (w->used == w->chunk && emit_chunk(w, 0, err) == -1)
			return -1;
		take = w->chunk - w->used < len ? w->chunk - w->used : len;
		memcpy(w->plain + w->used, p, take);
		w->used += take;
		p += take;
		len -= take;
	}
	return 0;
}

int
store_writer_close(struct store_writer *w, char **err)
{
	int	r = emit_chunk(w, 1, err);

	store_writer_abort(w);
	return r;
}

void
store_writer_abort(struct store_writer *w)
{
	if (w == NULL)
		return;
	mbedtls_gcm_free(&w->gcm);
	mbedtls_platform_zeroize(w->plain, w->chunk);
	free(w->plain);
	free(w->cipher);
	free(w);
}

/* Reads exactly n bytes; 1 done, 0 clean EOF at the start, -1 short or error. */
static int
read_full(struct store_reader *r, uint8_t *p, size_t n)
{
	size_t	got = 0;
	long	k;

	while (got < n) {
		k = r->source(r->ctx, p + got, n - got);
		if (k < 0)
			return -1;
		if (k == 0)
			return got == 0 ? 0 : -1;
		got += (size_t)k;
	}
	return 1;
}

static int
reader_fail(char **err, const char *fmt, unsigned long long a)
{
	*err = xasprintf(fmt, a);
	return -1;
}

int
store_reader_open(struct store_reader **out, store_source_fn source, void *ctx,
    const struct identity *id, char **err)
{
	struct store_reader	*r = xcalloc(1, sizeof *r);
	uint8_t			 fixed[FIXED_LEN], *slots = NULL, shared[32], kek[32];
	uint8_t			 dkey[32], mine[8];
	char			 myid[17], hex[17];
	mbedtls_sha256_context	 sha;
	size_t			 n, i, k;
	int			 found = 0, rc = -1;

	*out = NULL;
	r->source = source;
	r->ctx = ctx;
	mbedtls_gcm_init(&r->gcm);
	mbedtls_sha256_init(&sha);
	if (read_full(r, fixed, sizeof fixed) != 1 || memcmp(fixed, MAGIC, MAGIC_LEN) != 0) {
		reader_fail(err, "not a tsi store (no store header)%.0llu", 0);
		goto out;
	}
	r->chunk = get32(fixed + MAGIC_LEN);
	n = (size_t)fixed[MAGIC_LEN + 4] << 8 | fixed[MAGIC_LEN + 5];
	if (r->chunk == 0 || r->chunk > STORE_MAX_CHUNK || n == 0 ||
	    n > STORE_MAX_RECIPIENTS) {
		reader_fail(err, "the store's header is damaged (chunk size %llu)",
		    r->chunk);
		goto out;
	}
	slots = xmalloc(n * SLOT_LEN);
	if (read_full(r, slots, n * SLOT_LEN) != 1) {
		reader_fail(err, "the store is truncated in its header%.0llu", 0);
		goto out;
	}
	mbedtls_sha256_starts_ret(&sha, 0);
	mbedtls_sha256_update_ret(&sha, fixed, sizeof fixed);
	mbedtls_sha256_update_ret(&sha, slots, n * SLOT_LEN);
	mbedtls_sha256_finish_ret(&sha, r->header_hash);
	identity_key_id(id->x25519_pub, myid);
	key_id_raw(id->x25519_pub, mine);
	for (i = 0; i < n; i++) {
		uint8_t *slot = slots + i * SLOT_LEN;

		for (k = 0; k < 8; k++)
			snprintf(hex + 2 * k, 3, "%02x", slot[1 + k]);
		snprintf(r->recipients + strlen(r->recipients),
		    sizeof r->recipients - strlen(r->recipients), "%s%s", i ? "," : "", hex);
		if (found || slot[0] != SLOT_TYPE_X25519 || memcmp(slot + 1, mine, 8) != 0 ||
		    !id->has_private)
			continue;
		if (x25519(id->x25519_priv, slot + 9, shared) == 0 &&
		    slot_kek(shared, fixed + MAGIC_LEN + 8, slot + 9, id->x25519_pub, kek) == 0 &&
		    gcm_once(1, kek, slot + 41, 32, dkey, slot + 73) == 0)
			found = 1;
	}
	if (!found) {
		*err = xasprintf("this store is not encrypted to identity '%s' (key id "
		    "%s); its recipients are %s", id->name, myid, r->recipients);
		goto out;
	}
	if (mbedtls_gcm_setkey(&r->gcm, MBEDTLS_CIPHER_ID_AES, dkey, 256) != 0) {
		reader_fail(err, "cannot set up decryption%.0llu", 0);
		goto out;
	}
	r->plain = xmalloc(r->chunk);
	r->cipher = xmalloc(r->chunk + TAG_LEN);
	rc = 0;
out:
	mbedtls_platform_zeroize(dkey, sizeof dkey);
	mbedtls_platform_zeroize(shared, sizeof shared);
	mbedtls_platform_zeroize(kek, sizeof kek);
	mbedtls_sha256_free(&sha);
	free(slots);
	if (rc == -1)
		store_reader_free(r);
	else
		*out = r;
	return rc;
}

/* The next chunk into r->plain; 0 ok, 1 the authenticated end, -1 damage. */
static int
next_chunk(struct store_reader *r, char **err)
{
	uint8_t		lenb[4], nonce[12], aad[36];
	uint32_t	len;
	int		k;

	if (r->ended)
		return 1;
	k = read_full(r, lenb, 4);
	if (k != 1)
		return reader_fail(err, "the store is truncated: it ends after chunk %llu, "
		    "before its last chunk", (unsigned long long)r->counter);
	len = get32(lenb);
	if (len > r->chunk)
		return reader_fail(err, "chunk %llu is damaged (its length is larger "
		    "than the store's chunk size)", (unsigned long long)r->counter);
	if (read_full(r, r->cipher, len + TAG_LEN) != 1)
		return reader_fail(err, "the store is truncated inside chunk %llu",
		    (unsigned long long)r->counter);
	chunk_aad(r->header_hash, len, aad);
	for (k = 0; k < 2; k++) {	/* a middle chunk, or the last one */
		chunk_nonce(r->counter, k, nonce);
		if (mbedtls_gcm_auth_decrypt(&r->gcm, len, nonce, 12, aad, sizeof aad,
		    r->cipher + len, TAG_LEN, r->cipher, r->plain) == 0)
			break;
	}
	if (k == 2)
		return reader_fail(err, "chunk %llu is damaged or out of place "
		    "(authentication failed)", (unsigned long long)r->counter);
	r->counter++;
	r->len = len;
	r->pos = 0;
	if (k == 1) {
		uint8_t extra;

		r->ended = 1;
		if (r->source(r->ctx, &extra, 1) > 0)
			return reader_fail(err, "the store has data after its last "
			    "chunk (%llu)", (unsigned long long)r->counter - 1);
	}
	return 0;
}

long
store_reader_read(struct store_reader *r, void *buf, size_t n, char **err)
{
	size_t	take;
	int	k;

	while (r->pos == r->len) {
		if (r->ended)
			return 0;
		if ((k = next_chunk(r, err)) == -1)
			return -1;
		if (k == 1)
			return 0;
	}
	take = r->len - r->pos < n ? r->len - r->pos : n;
	memcpy(buf, r->plain + r->pos, take);
	r->pos += take;
	return (long)take;
}

void
store_reader_free(struct store_reader *r)
{
	if (r == NULL)
		return;
	mbedtls_gcm_free(&r->gcm);
	if (r->plain != NULL)
		mbedtls_platform_zeroize(r->plain, r->chunk);
	free(r->plain);
	free(r->cipher);
	free(r);
}

const char *
store_reader_recipients(const struct store_reader *r)
{
	return r->recipients;
}
