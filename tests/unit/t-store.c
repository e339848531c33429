/* t-store.c - identities and the encrypted store stream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../store/store.h"
#include "unit.h"

#define CHUNK	1000

struct mem {
	const uint8_t	*p;
	size_t		 len, pos;
};

static int
sink(void *ctx, const void *p, size_t n)
{
	return buf_add(ctx, p, n);
}

static long
source(void *ctx, void *p, size_t n)
{
	struct mem	*m = ctx;
	size_t		 k = m->len - m->pos < n ? m->len - m->pos : n;

	memcpy(p, m->p + m->pos, k);
	m->pos += k;
	return (long)k;
}

static char	tmpdir[] = "/tmp/tsi-unit-store.XXXXXX";
static struct identity alice, bob, eve;

static void
make_identity(const char *name, struct identity *id)
{
	char	*dir = xasprintf("%s/%s", tmpdir, name), *err = NULL;

	if (identity_init(dir, name, &err) == -1 || identity_load(dir, id, &err) == -1) {
		fprintf(stderr, "    # %s\n", err);
		unit_failures++;
	}
	free(err);
	free(dir);
}

/* Writes data to a store for the recipients; the store's bytes in out. */
static void
seal(const struct identity *rcpt, size_t n, const void *data, size_t len,
    struct buf *out)
{
	struct store_writer	*w;
	char			*err = NULL;

	buf_init(out, 0);
	CHECK(store_writer_open(&w, sink, out, rcpt, n, CHUNK, &err) == 0);
	CHECK(store_writer_write(w, data, len, &err) == 0);
	CHECK(store_writer_close(w, &err) == 0);
	free(err);
}

/* Reads a store back; returns the data (caller frees) or NULL with *msg. */
static char *
open_store(const struct identity *id, const uint8_t *bytes, size_t len, size_t *outlen,
    char **msg)
{
	struct store_reader	*r;
	struct mem		 m = { bytes, len, 0 };
	struct buf		 b = BUF_INIT;
	char			 chunk[777];
	long			 k;

	*msg = NULL;
	if (store_reader_open(&r, source, &m, id, msg) == -1)
		return NULL;
	while ((k = store_reader_read(r, chunk, sizeof chunk, msg)) > 0)
		buf_add(&b, chunk, (size_t)k);
	store_reader_free(r);
	if (k < 0) {
		buf_release(&b);
		return NULL;
	}
	*outlen = b.len;
	return buf_detach(&b);
}

static void
test_identity_files(void)
{
	struct stat	 st;
	struct identity	 pub;
	char		*path, *err = NULL, *line;

	CHECK(mkdtemp(tmpdir) != NULL);
	make_identity("alice", &alice);
	make_identity("bob", &bob);
	make_identity("eve", &eve);
	path = xasprintf("%s/alice/identity.key", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	free(path);
	path = xasprintf("%s/alice", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(identity_init(path, "alice", &err) == -1);	/* never overwrites */
	CHECK(err != NULL && strstr(err, "already exists"));
	free(err);
	err = NULL;
	free(path);
	path = xasprintf("%s/alice/identity.pub", tmpdir);
	CHECK(identity_parse_public(path, &pub, &err) == 0);
	CHECK(memcmp(pub.x25519_pub, alice.x25519_pub, 32) == 0);
	CHECK_STR(pub.name, "alice");
	CHECK(!pub.has_private);
	line = identity_public_line(&pub);
	CHECK(strncmp(line, "tsi-identity-v1 alice x25519:", 29) == 0);
	free(line);
	identity_wipe(&pub);
	free(path);
	CHECK(identity_parse_public("tsi-identity-v1 x x25519:short", &pub, &err) == -1);
	free(err);
}

static void
test_round_trip(void)
{
	struct identity	 both[2] = { alice, bob };
	struct buf	 store;
	char		*data = xmalloc(3500), *got, *msg;
	size_t		 i, len;

	for (i = 0; i < 3500; i++)
		data[i] = (char)(i * 7);
	seal(both, 2, data, 3500, &store);
	/* 3 full chunks and a last one of 500 bytes, each with length and tag */
	CHECK(store.len > 3500 + 4 * 20);
	got = open_store(&alice, (uint8_t *)store.data, store.len, &len, &msg);
	CHECK(got != NULL && len == 3500 && memcmp(got, data, 3500) == 0);
	free(got);
	got = open_store(&bob, (uint8_t *)store.data, store.len, &len, &msg);
	CHECK(got != NULL && len == 3500);
	free(got);
	got = open_store(&eve, (uint8_t *)store.data, store.len, &len, &msg);
	CHECK(got == NULL && msg != NULL && strstr(msg, "not encrypted to identity 'eve'"));
	free(msg);
	buf_release(&store);
	seal(&alice, 1, "", 0, &store);		/* empty is fine too */
	got = open_store(&alice, (uint8_t *)store.data, store.len, &len, &msg);
	CHECK(got != NULL && len == 0);
	free(got);
	buf_release(&store);
	free(data);
}

static void
expect_damage(const uint8_t *bytes, size_t len, const char *want)
{
	char	*got, *msg = NULL;
	size_t	 n;

	got = open_store(&alice, bytes, len, &n, &msg);
	CHECK(got == NULL);
	if (msg == NULL || strstr(msg, want) == NULL) {
		fprintf(stderr, "    # got '%s', want '%s'\n", msg ? msg : "(none)", want);
		unit_failures++;
	}
	free(got);
	free(msg);
}

static void
test_damage_is_detected(void)
{
	struct buf	 store;
	char		 data[3500];
	uint8_t		*copy;
	size_t		 hdr = 8 + 4 + 2 + 2 + 16 + 89, rec = 4 + CHUNK + 16;

	memset(data, 'x', sizeof data);
	seal(&alice, 1, data, sizeof data, &store);
	copy = xmalloc(store.len + 1);
	/* the last chunk is gone: truncation */
	expect_damage((uint8_t *)store.data, hdr + 3 * rec, "truncated");
	/* cut inside a chunk */
	expect_damage((uint8_t *)store.data, hdr + rec + 10, "truncated");
	/* a flipped bit in chunk 1 */
	memcpy(copy, store.data, store.len);
	copy[hdr + rec + 100] ^= 1;
	expect_damage(copy, store.len, "chunk 1 is damaged or out of place");
	/* chunks 0 and 1 swapped */
	memcpy(copy, store.data, store.len);
	memcpy(copy + hdr, store.data + hdr + rec, rec);
	memcpy(copy + hdr + rec, store.data + hdr, rec);
	expect_damage(copy, store.len, "chunk 0 is damaged or out of place");
	/* the header's store id changed: every chunk is bound to the header */
	memcpy(copy, store.data, store.len);
	copy[8 + 4 + 2 + 2] ^= 1;
	expect_damage(copy, store.len, "not encrypted to identity");
	/* garbage after the end */
	memcpy(copy, store.data, store.len);
	copy[store.len] = 0;
	expect_damage(copy, store.len + 1, "data after its end");
	/* the trailer gone: the chunks are whole but the store is not */
	expect_damage((uint8_t *)store.data, hdr + 3 * rec + 4 + 500 + 16, "trailer");
	/* a trailer checksum changed */
	memcpy(copy, store.data, store.len);
	copy[store.len - 16 - 32] ^= 1;
	expect_damage(copy, store.len, "trailer does not match chunk 3");
	/* not a store at all */
	expect_damage((const uint8_t *)"hello, world", 12, "not a tsi store");
	free(copy);
	buf_release(&store);
}

static long
mem_pread(void *ctx, void *p, size_t n, uint64_t off)
{
	struct mem	*m = ctx;

	if (off >= m->len)
		return 0;
	if (n > m->len - off)
		n = m->len - off;
	memcpy(p, m->p + off, n);
	return (long)n;
}

static void
count_damage(void *ctx, uint64_t chunk, const char *why)
{
	(void)why;
	*(uint64_t *)ctx += chunk + 1;
}

/* Random access reads any range; the keyless check finds damaged chunks. */
static void
test_random_access(void)
{
	struct buf		 store;
	struct store_file	*f;
	struct mem		 m;
	char			 data[3500], got[3500], *err = NULL, id[STORE_ID_HEX];
	uint64_t		 off, sum = 0;
	long			 k;
	size_t			 at;

	for (at = 0; at < sizeof data; at++)
		data[at] = (char)(at * 13 + 1);
	seal(&alice, 1, data, sizeof data, &store);
	m = (struct mem){ (uint8_t *)store.data, store.len, 0 };
	CHECK(store_file_open(&f, mem_pread, &m, store.len, &alice, &err) == 0);
	if (f == NULL)
		return;
	CHECK_INT(store_file_plain_size(f), 3500);
	CHECK_INT(store_file_chunks(f), 4);
	store_file_id(f, id);
	CHECK(strlen(id) == 32);
	for (off = 3499; off != UINT64_MAX; off -= 997) {	/* backwards, across chunks */
		for (at = 0; off + at < 3500; at += (size_t)k)
			if ((k = store_file_read(f, got + at, 3500, off + at, &err)) <= 0)
				break;
		CHECK(off + at == 3500 && memcmp(got, data + off, at) == 0);
		if (off < 997)
			break;
	}
	CHECK(store_file_read(f, got, 10, 3500, &err) == 0);
	CHECK(store_file_check(f, count_damage, &sum, &err) == 0);
	store_file_free(f);
	/* keyless: chunk 2 flipped is found; reading needs a key */
	store.data[8 + 4 + 2 + 2 + 16 + 89 + 2 * (4 + CHUNK + 16) + 50] ^= 4;
	CHECK(store_file_open(&f, mem_pread, &m, store.len, NULL, &err) == 0);
	CHECK(store_file_check(f, count_damage, &sum, &err) == 1 && sum == 3);
	CHECK(store_file_read(f, got, 10, 0, &err) == -1);
	free(err);
	store_file_free(f);
	/* truncated: no end marker */
	CHECK(store_file_open(&f, mem_pread, &m, store.len - 1, &alice, &err) == -1);
	CHECK(err != NULL && strstr(err, "no end marker"));
	free(err);
	buf_release(&store);
}

static void
test_cleanup(void)
{
	char	*cmd = xasprintf("rm -rf '%s'", tmpdir);

	CHECK(system(cmd) == 0);
	free(cmd);
	identity_wipe(&alice);
	identity_wipe(&bob);
	identity_wipe(&eve);
}

UNIT_SUITE(store_tests) = {
	UNIT_TEST(identity_files),
	UNIT_TEST(round_trip),
	UNIT_TEST(damage_is_detected),
	UNIT_TEST(random_access),
	UNIT_TEST(cleanup),
	{ NULL, NULL },
};
