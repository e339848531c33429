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

#include "../lib/util.h"
#include "fastcrypto.h"
#include "store-int.h"

#define MAGIC		"TSISTOR1"
#define MAGIC_LEN	8
#define ID_LEN		16
#define TAG_LEN		16
#define SLOT_TYPE_X25519 1
#define SLOT_LEN	(1 + 8 + 32 + 32 + TAG_LEN)
#define FIXED_LEN	(MAGIC_LEN + 4 + 2 + 2 + ID_LEN)
#define FLAG_LAST	1
#define TRAILER_MAGIC	"TSITRLR1"
#define END_MAGIC	"TSIEND01"
#define TRAILER_HEAD	16	/* magic, number of chunks */
#define TRAILER_TAIL	16	/* trailer length, end magic */
#define MAX_CHUNKS	(UINT64_C(1) << 32)

static const char	slot_info[] = "tsi-store-v1 key slot";
static const char	slot_aad[] = "tsi-store-v1";

/* What opening a header yields: the chunk key and what binds chunks. */
struct store_key {
	struct gcm256		*gcm;
	int			 has_key;
	uint8_t			 header_hash[32];
	uint8_t			 id[ID_LEN];
	size_t			 chunk, header_len;
	char			 recipients[STORE_MAX_RECIPIENTS * 18 + 1];
};

struct store_writer {
	store_sink_fn		 sink;
	void			*ctx;
	struct gcm256		*gcm;
	uint8_t			 header_hash[32];
	uint8_t			*plain, *cipher;
	size_t			 chunk, used;
	uint64_t		 counter;
	uint8_t			*hashes;	/* SHA-256 of each chunk, for the trailer */
	size_t			 hashes_cap;
};

struct store_reader {
	store_source_fn		 source;
	void			*ctx;
	struct store_key	 key;
	uint8_t			*plain, *cipher;
	size_t			 len, pos;
	uint64_t		 counter;
	int			 ended;
	uint8_t			*hashes;
	size_t			 hashes_cap;
};

struct store_file {
	store_pread_fn		 pread;
	void			*ctx;
	struct store_key	 key;
	uint64_t		 size, nchunks, last_len, plain_size;
	uint8_t			*plain, *cipher;
	uint64_t		 cached;	/* chunk in plain, or UINT64_MAX */
	size_t			 cached_len;
};

/* The first 8 bytes of SHA-256 of a public key: which slot is whose. */
static void
key_id_raw(const uint8_t pub[32], uint8_t out[8])
{
	uint8_t	sum[32];

	mbedtls_sha256_ret(pub, 32, sum, 0);
	memcpy(out, sum, 8);
}

/* Records the SHA-256 of chunk i's bytes (length, ciphertext, tag). */
static void
hash_append(uint8_t **v, size_t *cap, uint64_t i, const uint8_t *rec, size_t len)
{
	if (32 * (i + 1) > *cap) {
		*cap = *cap ? 2 * *cap : 32 * 64;
		*v = xrealloc(*v, *cap);
	}
	sha256(rec, len, *v + 32 * i);
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
	if (chunk < STORE_MIN_CHUNK)
		chunk = STORE_MIN_CHUNK;
	if (chunk > STORE_MAX_CHUNK)
		chunk = STORE_MAX_CHUNK;
	w = xcalloc(1, sizeof *w);
	w->sink = sink;
	w->ctx = ctx;
	w->chunk = chunk;
	w->plain = xmalloc(chunk);
	w->cipher = xmalloc(chunk + 4 + TAG_LEN);
	hlen = FIXED_LEN + n * SLOT_LEN;
	hdr = xcalloc(1, hlen);
	memcpy(hdr, MAGIC, MAGIC_LEN);
	put32(hdr + MAGIC_LEN, (uint32_t)chunk);
	hdr[MAGIC_LEN + 4] = (uint8_t)(n >> 8);
	hdr[MAGIC_LEN + 5] = (uint8_t)n;
	if (rng_fill(NULL, hdr + MAGIC_LEN + 8, ID_LEN) == -1 ||
	    rng_fill(NULL, dkey, sizeof dkey) == -1)
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
	if ((w->gcm = gcm256_new(dkey)) == NULL)
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
	if (gcm256_seal(w->gcm, nonce, aad, sizeof aad, w->plain, len, w->cipher + 4,
	    w->cipher + 4 + len) != 0)
		return writer_fail(w, err, "encryption failed");
	if (w->sink(w->ctx, w->cipher, 4 + len + TAG_LEN) == -1)
		return writer_fail(w, err, "cannot write to the store");
	hash_append(&w->hashes, &w->hashes_cap, w->counter, w->cipher, 4 + len + TAG_LEN);
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
	uint8_t	head[TRAILER_HEAD], tail[TRAILER_TAIL];
	int	r = emit_chunk(w, 1, err);

	if (r == 0) {
		memcpy(head, TRAILER_MAGIC, 8);
		put64(head + 8, w->counter);
		memcpy(tail + 8, END_MAGIC, 8);
		put64(tail, TRAILER_HEAD + 32 * w->counter + TRAILER_TAIL);
		if (w->sink(w->ctx, head, sizeof head) == -1 ||
		    w->sink(w->ctx, w->hashes, 32 * w->counter) == -1 ||
		    w->sink(w->ctx, tail, sizeof tail) == -1)
			r = writer_fail(w, err, "cannot write to the store");
	}
	store_writer_abort(w);
	return r;
}

void
store_writer_abort(struct store_writer *w)
{
	if (w == NULL)
		return;
	gcm256_free(w->gcm);
	mbedtls_platform_zeroize(w->plain, w->chunk);
	free(w->plain);
	free(w->cipher);
	free(w->hashes);
	free(w);
}

/*
 * Reading.  A header opens into a store_key: the chunk size, the header's
 * hash that binds every chunk, and (with an identity) the data key.
 */
static int
fail(char **err, const char *fmt, unsigned long long a)
{
	*err = xasprintf(fmt, a);
	return -1;
}

static void
key_free(struct store_key *k)
{
	gcm256_free(k->gcm);
}

/* fixed and slots as read; id NULL opens the header without a key. */
static int
key_open(struct store_key *k, const uint8_t fixed[FIXED_LEN], const uint8_t *slots,
    size_t n, const struct identity *id, char **err)
{
	uint8_t			 shared[32], kek[32], dkey[32], mine[8];
	char			 myid[17], hex[17];
	mbedtls_sha256_context	 sha;
	size_t			 i;
	int			 found = 0;

	mbedtls_sha256_init(&sha);
	mbedtls_sha256_starts_ret(&sha, 0);
	mbedtls_sha256_update_ret(&sha, fixed, FIXED_LEN);
	mbedtls_sha256_update_ret(&sha, slots, n * SLOT_LEN);
	mbedtls_sha256_finish_ret(&sha, k->header_hash);
	mbedtls_sha256_free(&sha);
	memcpy(k->id, fixed + MAGIC_LEN + 8, ID_LEN);
	for (i = 0; i < n; i++) {
		const uint8_t *slot = slots + i * SLOT_LEN;

		hex_encode(slot + 1, 8, hex);
		snprintf(k->recipients + strlen(k->recipients),
		    sizeof k->recipients - strlen(k->recipients), "%s%s", i ? "," : "", hex);
	}
	if (id == NULL)
		return 0;
	identity_key_id(id->x25519_pub, myid);
	key_id_raw(id->x25519_pub, mine);
	for (i = 0; i < n && !found && id->has_private; i++) {
		const uint8_t	*slot = slots + i * SLOT_LEN;
		uint8_t		 tag[TAG_LEN];

		if (slot[0] != SLOT_TYPE_X25519 || memcmp(slot + 1, mine, 8) != 0)
			continue;
		memcpy(tag, slot + 73, TAG_LEN);
		if (x25519(id->x25519_priv, slot + 9, shared) == 0 &&
		    slot_kek(shared, fixed + MAGIC_LEN + 8, slot + 9, id->x25519_pub, kek) == 0 &&
		    gcm_once(1, kek, slot + 41, 32, dkey, tag) == 0)
			found = 1;
	}
	mbedtls_platform_zeroize(shared, sizeof shared);
	mbedtls_platform_zeroize(kek, sizeof kek);
	if (!found) {
		*err = xasprintf("this store is not encrypted to identity '%s' (key id "
		    "%s); its recipients are %s", id->name, myid, k->recipients);
		return -1;
	}
	k->gcm = gcm256_new(dkey);
	mbedtls_platform_zeroize(dkey, sizeof dkey);
	if (k->gcm == NULL)
		return fail(err, "cannot set up decryption%.0llu", 0);
	k->has_key = 1;
	return 0;
}

/* Checks the fixed part of a header; the number of key slots, or -1. */
static long
header_check(const uint8_t fixed[FIXED_LEN], size_t *chunk, char **err)
{
	size_t	n;

	if (memcmp(fixed, MAGIC, MAGIC_LEN) != 0)
		return fail(err, "not a tsi store (no store header)%.0llu", 0);
	*chunk = get32(fixed + MAGIC_LEN);
	n = (size_t)fixed[MAGIC_LEN + 4] << 8 | fixed[MAGIC_LEN + 5];
	if (*chunk < STORE_MIN_CHUNK || *chunk > STORE_MAX_CHUNK || n == 0 ||
	    n > STORE_MAX_RECIPIENTS)
		return fail(err, "the store's header is damaged (chunk size %llu)", *chunk);
	return (long)n;
}

/*
 * Decrypts chunk i (rec: length, ciphertext, tag) into plain.  last: 1 the
 * chunk must be the last, 0 must not be, -1 either (*is_last says which).
 */
static int
chunk_open(struct store_key *k, uint64_t i, int last, const uint8_t *rec,
    uint8_t *plain, int *is_last, char **err)
{
	uint8_t		nonce[12], aad[36];
	uint32_t	len = get32(rec);
	int		f;

	if (len > k->chunk)
		return fail(err, "chunk %llu is damaged (its length is larger than the "
		    "store's chunk size)", (unsigned long long)i);
	chunk_aad(k->header_hash, len, aad);
	for (f = last == 1 ? 1 : 0; f <= (last == 0 ? 0 : 1); f++) {
		chunk_nonce(i, f, nonce);
		if (gcm256_open(k->gcm, nonce, aad, sizeof aad, rec + 4, len, plain,
		    rec + 4 + len) == 0) {
			if (is_last != NULL)
				*is_last = f;
			return 0;
		}
	}
	return fail(err, "chunk %llu is damaged or out of place (authentication "
	    "failed)", (unsigned long long)i);
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

int
store_reader_open(struct store_reader **out, store_source_fn source, void *ctx,
    const struct identity *id, char **err)
{
	struct store_reader	*r = xcalloc(1, sizeof *r);
	uint8_t			 fixed[FIXED_LEN], *slots = NULL;
	long			 n;
	int			 rc = -1;

	*out = NULL;
	r->source = source;
	r->ctx = ctx;
	if (read_full(r, fixed, sizeof fixed) != 1) {
		fail(err, "not a tsi store (no store header)%.0llu", 0);
		goto out;
	}
	if ((n = header_check(fixed, &r->key.chunk, err)) == -1)
		goto out;
	slots = xmalloc((size_t)n * SLOT_LEN);
	if (read_full(r, slots, (size_t)n * SLOT_LEN) != 1) {
		fail(err, "the store is truncated in its header%.0llu", 0);
		goto out;
	}
	if (key_open(&r->key, fixed, slots, (size_t)n, id, err) == -1)
		goto out;
	r->plain = xmalloc(r->key.chunk);
	r->cipher = xmalloc(4 + r->key.chunk + TAG_LEN);
	rc = 0;
out:
	free(slots);
	if (rc == -1)
		store_reader_free(r);
	else
		*out = r;
	return rc;
}

/* After the last chunk: the trailer must list the chunks just read, then end. */
static int
read_trailer(struct store_reader *r, char **err)
{
	uint8_t		head[TRAILER_HEAD], tail[TRAILER_TAIL], sum[32], extra;
	uint64_t	i;

	if (read_full(r, head, sizeof head) != 1 || memcmp(head, TRAILER_MAGIC, 8) != 0 ||
	    get64(head + 8) != r->counter)
		return fail(err, "the store's trailer is missing or damaged (after "
		    "chunk %llu)", (unsigned long long)r->counter - 1);
	for (i = 0; i < r->counter; i++)
		if (read_full(r, sum, 32) != 1 || memcmp(sum, r->hashes + 32 * i, 32) != 0)
			return fail(err, "the store's trailer does not match chunk %llu",
			    (unsigned long long)i);
	if (read_full(r, tail, sizeof tail) != 1 || memcmp(tail + 8, END_MAGIC, 8) != 0 ||
	    get64(tail) != TRAILER_HEAD + 32 * r->counter + TRAILER_TAIL)
		return fail(err, "the store's trailer is damaged%.0llu", 0);
	if (r->source(r->ctx, &extra, 1) > 0)
		return fail(err, "the store has data after its end (%llu chunks)",
		    (unsigned long long)r->counter);
	return 0;
}

/* The next chunk into r->plain; 0 ok, 1 the authenticated end, -1 damage. */
static int
next_chunk(struct store_reader *r, char **err)
{
	int		last, k;
	uint32_t	len;

	if (r->ended)
		return 1;
	k = read_full(r, r->cipher, 4);
	if (k != 1)
		return fail(err, "the store is truncated: it ends after chunk %llu, "
		    "before its last chunk", (unsigned long long)r->counter);
	len = get32(r->cipher);
	if (len > r->key.chunk)
		return fail(err, "chunk %llu is damaged (its length is larger than the "
		    "store's chunk size)", (unsigned long long)r->counter);
	if (read_full(r, r->cipher + 4, len + TAG_LEN) != 1)
		return fail(err, "the store is truncated inside chunk %llu",
		    (unsigned long long)r->counter);
	/* writers fill every chunk but the last; a short one must be the last */
	if (chunk_open(&r->key, r->counter, len < r->key.chunk ? 1 : -1, r->cipher,
	    r->plain, &last, err) == -1)
		return -1;
	hash_append(&r->hashes, &r->hashes_cap, r->counter, r->cipher, 4 + len + TAG_LEN);
	r->counter++;
	r->len = len;
	r->pos = 0;
	if (last) {
		r->ended = 1;
		if (read_trailer(r, err) == -1)
			return -1;
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
	key_free(&r->key);
	if (r->plain != NULL)
		mbedtls_platform_zeroize(r->plain, r->key.chunk);
	free(r->plain);
	free(r->cipher);
	free(r->hashes);
	free(r);
}

const char *
store_reader_recipients(const struct store_reader *r)
{
	return r->key.recipients;
}

/*
 * Random access.  Every chunk but the last holds exactly C bytes, so chunk
 * i starts at header + i * (4 + C + 16); the trailer says how many there
 * are, and so where the last one starts.
 */
static int
pread_full(struct store_file *f, void *p, size_t n, uint64_t off)
{
	size_t	got = 0;
	long	k;

	while (got < n) {
		k = f->pread(f->ctx, (uint8_t *)p + got, n - got, off + got);
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

int
store_file_open(struct store_file **out, store_pread_fn pread_fn, void *ctx,
    uint64_t size, const struct identity *id, char **err)
{
	struct store_file	*f = xcalloc(1, sizeof *f);
	uint8_t			 fixed[FIXED_LEN], *slots = NULL, b[TRAILER_HEAD];
	uint64_t		 rec, region, tlen;
	long			 n;
	int			 rc = -1;

	*out = NULL;
	f->pread = pread_fn;
	f->ctx = ctx;
	f->size = size;
	f->cached = UINT64_MAX;
	if (size < FIXED_LEN || pread_full(f, fixed, FIXED_LEN, 0) == -1) {
		fail(err, "not a tsi store (no store header)%.0llu", 0);
		goto out;
	}
	if ((n = header_check(fixed, &f->key.chunk, err)) == -1)
		goto out;
	f->key.header_len = FIXED_LEN + (size_t)n * SLOT_LEN;
	slots = xmalloc((size_t)n * SLOT_LEN);
	if (size < f->key.header_len + TRAILER_HEAD + TRAILER_TAIL ||
	    pread_full(f, slots, (size_t)n * SLOT_LEN, FIXED_LEN) == -1) {
		fail(err, "the store is truncated (%llu bytes)", (unsigned long long)size);
		goto out;
	}
	if (pread_full(f, b, TRAILER_TAIL, size - TRAILER_TAIL) == -1 ||
	    memcmp(b + 8, END_MAGIC, 8) != 0) {
		fail(err, "the store is truncated or incomplete: it has no end "
		    "marker (%llu bytes)", (unsigned long long)size);
		goto out;
	}
	tlen = get64(b);
	rec = 4 + f->key.chunk + TAG_LEN;
	if (tlen < TRAILER_HEAD + TRAILER_TAIL || tlen > size - f->key.header_len ||
	    pread_full(f, b, TRAILER_HEAD, size - tlen) == -1 ||
	    memcmp(b, TRAILER_MAGIC, 8) != 0 || (f->nchunks = get64(b + 8)) == 0 ||
	    f->nchunks > MAX_CHUNKS ||
	    tlen != TRAILER_HEAD + 32 * f->nchunks + TRAILER_TAIL) {
		fail(err, "the store's trailer is damaged%.0llu", 0);
		goto out;
	}
	region = size - tlen - f->key.header_len;
	if (region < (f->nchunks - 1) * rec + 4 + TAG_LEN ||
	    region - (f->nchunks - 1) * rec - 4 - TAG_LEN > f->key.chunk) {
		fail(err, "the store's size does not match its %llu chunks",
		    (unsigned long long)f->nchunks);
		goto out;
	}
	f->last_len = region - (f->nchunks - 1) * rec - 4 - TAG_LEN;
	f->plain_size = (f->nchunks - 1) * f->key.chunk + f->last_len;
	if (key_open(&f->key, fixed, slots, (size_t)n, id, err) == -1)
		goto out;
	f->cipher = xmalloc(rec);
	f->plain = xmalloc(f->key.chunk);
	rc = 0;
out:
	free(slots);
	if (rc == -1)
		store_file_free(f);
	else
		*out = f;
	return rc;
}

uint64_t
store_file_plain_size(const struct store_file *f)
{
	return f->plain_size;
}

void
store_file_id(const struct store_file *f, char out[2 * ID_LEN + 1])
{
	hex_encode(f->key.id, ID_LEN, out);
}

const char *
store_file_recipients(const struct store_file *f)
{
	return f->key.recipients;
}

/* Reads chunk i's record into f->cipher; its length, or -1. */
static long
load_record(struct store_file *f, uint64_t i, char **err)
{
	uint64_t	off = f->key.header_len + i * (4 + f->key.chunk + TAG_LEN);
	size_t		len = i + 1 == f->nchunks ? f->last_len : f->key.chunk;

	if (pread_full(f, f->cipher, 4 + len + TAG_LEN, off) == -1)
		return fail(err, "cannot read chunk %llu of the store", (unsigned long long)i);
	if (get32(f->cipher) != len)
		return fail(err, "chunk %llu is damaged (its length does not fit its "
		    "place)", (unsigned long long)i);
	return (long)len;
}

long
store_file_read(struct store_file *f, void *buf, size_t n, uint64_t off, char **err)
{
	uint64_t	i = off / f->key.chunk;
	size_t		at = (size_t)(off % f->key.chunk), take;

	if (!f->key.has_key)
		return fail(err, "the store cannot be read without an identity%.0llu", 0);
	if (off >= f->plain_size)
		return 0;
	if (f->cached != i) {
		long len = load_record(f, i, err);

		f->cached = UINT64_MAX;
		if (len == -1 || chunk_open(&f->key, i, i + 1 == f->nchunks, f->cipher,
		    f->plain, NULL, err) == -1)
			return -1;
		f->cached = i;
		f->cached_len = (size_t)len;
	}
	take = f->cached_len - at < n ? f->cached_len - at : n;
	memcpy(buf, f->plain + at, take);
	return (long)take;
}

int
store_file_check(struct store_file *f, store_damage_fn bad, void *ctx, char **err)
{
	uint64_t	i, tstart = f->size - (TRAILER_HEAD + 32 * f->nchunks + TRAILER_TAIL);
	uint8_t		want[32], got[32];
	long		len;
	int		damaged = 0;
	char		*why = NULL;

	for (i = 0; i < f->nchunks; i++) {
		if ((len = load_record(f, i, &why)) != -1) {
			sha256(f->cipher, 4 + (size_t)len + TAG_LEN, got);
			if (pread_full(f, want, 32, tstart + TRAILER_HEAD + 32 * i) == -1) {
				*err = xstrdup("cannot read the store's trailer");
				return -1;
			}
			if (memcmp(want, got, 32) != 0)
				why = xasprintf("chunk %llu does not match the checksum in "
				    "the store's trailer", (unsigned long long)i);
			else if (f->key.has_key && (f->cached = UINT64_MAX, 1) &&
			    chunk_open(&f->key, i,
			    i + 1 == f->nchunks, f->cipher, f->plain, NULL, &why) == 0)
				f->cached = i, f->cached_len = (size_t)len;
		}
		if (why != NULL) {
			damaged++;
			bad(ctx, i, why);
			free(why);
			why = NULL;
		}
	}
	return damaged;
}

uint64_t
store_file_chunks(const struct store_file *f)
{
	return f->nchunks;
}

void
store_file_free(struct store_file *f)
{
	if (f == NULL)
		return;
	key_free(&f->key);
	if (f->plain != NULL)
		mbedtls_platform_zeroize(f->plain, f->key.chunk);
	free(f->plain);
	free(f->cipher);
	free(f);
}
