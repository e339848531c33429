/*
 * frames.c - the frames inside a store's plaintext: compressed on worker
 * threads, written in order by a writer thread, read back one at a time.
 * See container.h.
 */
#include "container.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "../lib/util.h"
#include "store-int.h"

/* zstd's fastest level: on a tree of mixed profiles it costs 35% less CPU
 * than level 3 for a store 5% larger (bench/README.md), and a capture runs
 * on the old computer, often the slowest machine of a migration */
#define ZSTD_LEVEL	1
#define FLAG_ZSTD	1
#define KINDS		4

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_WORKING, SLOT_DONE };

struct slot {
	enum slot_state	 state;
	uint8_t		 kind, flags;
	uint64_t	 order;		/* place in the stream */
	uint8_t		*raw, *out;
	size_t		 raw_len, out_len;
};

struct frame_writer {
	struct store_writer	*sw;
	int			 compress, nworkers;
	pthread_t		 workers[FRAMES_MAX_THREADS], writer;
	int			 started_workers, started_writer;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct slot		*slots;
	size_t			 nslots;
	struct slot		*filling[KINDS];
	uint64_t		 opened[KINDS];		/* frames of each kind so far */
	uint64_t		 next_order, write_order;
	int			 stop;
	char			*err;			/* the first failure */
	struct buf		 index;
	uint64_t		 offset, nframes;	/* written so far */
};

static void
frame_header(uint8_t h[FRAME_HEADER_LEN], int kind, int flags, uint32_t stored,
    uint32_t raw)
{
	h[0] = (uint8_t)kind;
	h[1] = (uint8_t)flags;
	h[2] = h[3] = 0;
	put32(h + 4, stored);
	put32(h + 8, raw);
}

/* Called with mu held: the first failure wins and stops everything. */
static void
set_error(struct frame_writer *fw, char *msg)
{
	if (fw->err == NULL)
		fw->err = msg;
	else
		free(msg);
	fw->stop = 1;
	pthread_cond_broadcast(&fw->cv);
}

static void *
worker_main(void *arg)
{
	struct frame_writer	*fw = arg;
	ZSTD_CCtx		*cctx = ZSTD_createCCtx();
	struct slot		*s;
	size_t			 i, n;

	pthread_mutex_lock(&fw->mu);
	for (;;) {
		for (s = NULL, i = 0; i < fw->nslots; i++)
			if (fw->slots[i].state == SLOT_QUEUED &&
			    (s == NULL || fw->slots[i].order < s->order))
				s = &fw->slots[i];
		if (fw->stop)
			break;
		if (s == NULL) {
			pthread_cond_wait(&fw->cv, &fw->mu);
			continue;
		}
		s->state = SLOT_WORKING;
		pthread_mutex_unlock(&fw->mu);
		s->flags = 0;
		n = fw->compress && cctx != NULL ? ZSTD_compressCCtx(cctx, s->out,
		    ZSTD_compressBound(FRAME_TARGET), s->raw, s->raw_len, ZSTD_LEVEL) : 0;
		if (fw->compress && n > 0 && !ZSTD_isError(n) && n < s->raw_len) {
			s->flags = FLAG_ZSTD;
			s->out_len = n;
		}
		pthread_mutex_lock(&fw->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&fw->cv);
	}
	pthread_mutex_unlock(&fw->mu);
	ZSTD_freeCCtx(cctx);
	return NULL;
}

/* Writes one finished frame through the encryption; records it in the index. */
static int
write_frame(struct frame_writer *fw, struct slot *s, char **err)
{
	uint8_t		h[FRAME_HEADER_LEN], e[FRAME_INDEX_ENTRY] = { 0 };
	const uint8_t	*payload = s->flags & FLAG_ZSTD ? s->out : s->raw;
	size_t		 len = s->flags & FLAG_ZSTD ? s->out_len : s->raw_len;

	frame_header(h, s->kind, s->flags, (uint32_t)len, (uint32_t)s->raw_len);
	if (store_writer_write(fw->sw, h, sizeof h, err) == -1 ||
	    store_writer_write(fw->sw, payload, len, err) == -1)
		return -1;
	put64(e, fw->offset);
	put32(e + 8, (uint32_t)s->raw_len);
	put32(e + 12, (uint32_t)len);
	e[16] = s->kind;
	e[17] = s->flags;
	buf_add(&fw->index, e, sizeof e);
	fw->offset += sizeof h + len;
	fw->nframes++;
	return 0;
}

static void *
writer_main(void *arg)
{
	struct frame_writer	*fw = arg;
	struct slot		*s;
	size_t			 i;
	char			*err = NULL;
	int			 failed;

	pthread_mutex_lock(&fw->mu);
	for (;;) {
		for (s = NULL, i = 0; i < fw->nslots; i++)
			if (fw->slots[i].state == SLOT_DONE &&
			    fw->slots[i].order == fw->write_order)
				s = &fw->slots[i];
		if (fw->stop)
			break;
		if (s == NULL) {
			pthread_cond_wait(&fw->cv, &fw->mu);
			continue;
		}
		pthread_mutex_unlock(&fw->mu);
		failed = write_frame(fw, s, &err) == -1;
		pthread_mutex_lock(&fw->mu);
		if (failed) {
			set_error(fw, err);
			break;
		}
		s->state = SLOT_FREE;
		fw->write_order++;
		pthread_cond_broadcast(&fw->cv);
	}
	pthread_mutex_unlock(&fw->mu);
	return NULL;
}

struct frame_writer *
frame_writer_new(struct store_writer *sw, int compress, int threads)
{
	struct frame_writer	*fw = xcalloc(1, sizeof *fw);
	long			 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t			 i;

	if (threads <= 0)
		threads = cpus > 0 ? (int)cpus : 1;
	if (threads > FRAMES_MAX_THREADS)
		threads = FRAMES_MAX_THREADS;
	fw->sw = sw;
	fw->compress = compress;
	fw->nworkers = threads;
	/* one frame filling per kind, one being written, the rest in flight */
	fw->nslots = (size_t)threads + 3;
	fw->slots = xcalloc(fw->nslots, sizeof *fw->slots);
	for (i = 0; i < fw->nslots; i++) {
		fw->slots[i].raw = xmalloc(FRAME_TARGET);
		fw->slots[i].out = compress ? xmalloc(ZSTD_compressBound(FRAME_TARGET)) : NULL;
	}
	buf_init(&fw->index, 0);
	pthread_mutex_init(&fw->mu, NULL);
	pthread_cond_init(&fw->cv, NULL);
	for (i = 0; i < (size_t)threads; i++)
		if (pthread_create(&fw->workers[i], NULL, worker_main, fw) == 0)
			fw->started_workers++;
	fw->started_writer = pthread_create(&fw->writer, NULL, writer_main, fw) == 0;
	if (fw->started_workers == 0 || !fw->started_writer) {
		pthread_mutex_lock(&fw->mu);
		set_error(fw, xstrdup("cannot start the compression threads"));
		pthread_mutex_unlock(&fw->mu);
	}
	return fw;
}

/* Called with mu held. */
static void
submit(struct frame_writer *fw, enum frame_kind kind)
{
	struct slot	*s = fw->filling[kind];

	fw->filling[kind] = NULL;
	s->state = SLOT_QUEUED;
	s->order = fw->next_order++;
	pthread_cond_broadcast(&fw->cv);
}

/* Called with mu held; a free slot for kind, or NULL when stopped. */
static struct slot *
open_frame(struct frame_writer *fw, enum frame_kind kind)
{
	size_t	i;

	for (;;) {
		if (fw->stop)
			return NULL;
		for (i = 0; i < fw->nslots; i++)
			if (fw->slots[i].state == SLOT_FREE) {
				fw->slots[i].state = SLOT_FILLING;
				fw->slots[i].kind = (uint8_t)kind;
				fw->slots[i].raw_len = 0;
				fw->opened[kind]++;
				return fw->filling[kind] = &fw->slots[i];
			}
		pthread_cond_wait(&fw->cv, &fw->mu);
	}
}

int
frame_writer_add(struct frame_writer *fw, enum frame_kind kind, const void *data,
    size_t len, char **err)
{
	const uint8_t	*p = data;
	struct slot	*s;
	size_t		 take;

	while (len > 0) {
		if ((s = fw->filling[kind]) == NULL) {
			pthread_mutex_lock(&fw->mu);
			s = open_frame(fw, kind);
			pthread_mutex_unlock(&fw->mu);
			if (s == NULL)
				break;
		}
		take = FRAME_TARGET - s->raw_len < len ? FRAME_TARGET - s->raw_len : len;
		memcpy(s->raw + s->raw_len, p, take);
		s->raw_len += take;
		p += take;
		len -= take;
		if (s->raw_len == FRAME_TARGET) {
			pthread_mutex_lock(&fw->mu);
			submit(fw, kind);
			pthread_mutex_unlock(&fw->mu);
		}
	}
	pthread_mutex_lock(&fw->mu);
	if (len > 0 || fw->stop) {
		*err = xstrdup(fw->err ? fw->err : "the store writer stopped");
		pthread_mutex_unlock(&fw->mu);
		return -1;
	}
	pthread_mutex_unlock(&fw->mu);
	return 0;
}

void
frame_writer_pos(const struct frame_writer *fw, enum frame_kind kind, uint64_t *frame,
    uint32_t *off)
{
	const struct slot *s = fw->filling[kind];

	*frame = s != NULL ? fw->opened[kind] - 1 : fw->opened[kind];
	*off = s != NULL ? (uint32_t)s->raw_len : 0;
}

uint64_t
frame_writer_stored(struct frame_writer *fw)
{
	uint64_t	n;

	pthread_mutex_lock(&fw->mu);
	n = fw->offset;
	pthread_mutex_unlock(&fw->mu);
	return n;
}

static void
stop_threads(struct frame_writer *fw)
{
	int	i;

	pthread_mutex_lock(&fw->mu);
	fw->stop = 1;
	pthread_cond_broadcast(&fw->cv);
	pthread_mutex_unlock(&fw->mu);
	for (i = 0; i < fw->started_workers; i++)
		pthread_join(fw->workers[i], NULL);
	if (fw->started_writer)
		pthread_join(fw->writer, NULL);
	fw->started_workers = fw->started_writer = 0;
}

int
frame_writer_finish(struct frame_writer *fw, uint64_t entries, uint64_t bytes,
    char **err)
{
	uint8_t	h[FRAME_HEADER_LEN], foot[FOOTER_LEN];
	int	k, r = 0;

	pthread_mutex_lock(&fw->mu);
	for (k = FRAME_ARCHIVE; k <= FRAME_CATALOG; k++)
		if (fw->filling[k] != NULL)
			submit(fw, (enum frame_kind)k);
	while (!fw->stop && fw->write_order < fw->next_order)
		pthread_cond_wait(&fw->cv, &fw->mu);
	if (fw->err != NULL) {
		*err = xstrdup(fw->err);
		r = -1;
	}
	pthread_mutex_unlock(&fw->mu);
	stop_threads(fw);
	if (r == 0) {
		frame_header(h, FRAME_INDEX, 0, (uint32_t)fw->index.len,
		    (uint32_t)fw->index.len);
		memcpy(foot, FOOTER_MAGIC, 8);
		put64(foot + 8, fw->offset);
		put64(foot + 16, fw->nframes);
		put64(foot + 24, entries);
		put64(foot + 32, bytes);
		if (store_writer_write(fw->sw, h, sizeof h, err) == -1 ||
		    store_writer_write(fw->sw, fw->index.data, fw->index.len, err) == -1 ||
		    store_writer_write(fw->sw, foot, sizeof foot, err) == -1)
			r = -1;
	}
	frame_writer_abort(fw);
	return r;
}

void
frame_writer_abort(struct frame_writer *fw)
{
	size_t	i;

	if (fw == NULL)
		return;
	stop_threads(fw);
	for (i = 0; i < fw->nslots; i++) {
		free(fw->slots[i].raw);
		free(fw->slots[i].out);
	}
	free(fw->slots);
	free(fw->err);
	buf_release(&fw->index);
	pthread_mutex_destroy(&fw->mu);
	pthread_cond_destroy(&fw->cv);
	free(fw);
}

/*
 * Reading.
 */
struct frame_reader {
	struct store_file	*sf;
	struct frame_info	*frames;
	uint64_t		 nframes, entries, bytes;
	uint64_t		*by_kind[KINDS];	/* index into frames */
	uint64_t		 count[KINDS];
	ZSTD_DCtx		*dctx;
	uint8_t			*stored, *raw;
	size_t			 stored_cap, raw_cap;
	enum frame_kind		 kind;
	uint64_t		 cur;			/* seq of the loaded frame */
	size_t			 len, pos;
	int			 loaded;
};

static int
read_exact(struct store_file *sf, void *p, size_t n, uint64_t off, char **err)
{
	size_t	got = 0;
	long	k;

	while (got < n) {
		if ((k = store_file_read(sf, (uint8_t *)p + got, n - got, off + got, err)) <= 0) {
			if (k == 0)
				*err = xstrdup("the store ends inside a frame");
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

static int
reader_fail(char **err, const char *msg, uint64_t a)
{
	*err = xasprintf(msg, (unsigned long long)a);
	return -1;
}

int
frame_reader_open(struct frame_reader **out, struct store_file *sf, char **err)
{
	struct frame_reader	*fr = xcalloc(1, sizeof *fr);
	uint64_t		 size = store_file_plain_size(sf), idx, i, expect = 0;
	uint8_t			 foot[FOOTER_LEN], h[FRAME_HEADER_LEN], *ix = NULL;
	int			 k, rc = -1;

	*out = NULL;
	fr->sf = sf;
	if (size < FOOTER_LEN + FRAME_HEADER_LEN ||
	    read_exact(sf, foot, FOOTER_LEN, size - FOOTER_LEN, err) == -1)
		goto out;
	idx = get64(foot + 8);
	fr->nframes = get64(foot + 16);
	fr->entries = get64(foot + 24);
	fr->bytes = get64(foot + 32);
	if (memcmp(foot, FOOTER_MAGIC, 8) != 0 || fr->nframes > FRAMES_MAX ||
	    idx > size || size - idx != FRAME_HEADER_LEN + fr->nframes *
	    FRAME_INDEX_ENTRY + FOOTER_LEN) {
		reader_fail(err, "the store's frame index is damaged%.0llu", 0);
		goto out;
	}
	if (read_exact(sf, h, sizeof h, idx, err) == -1)
		goto out;
	if (h[0] != FRAME_INDEX || h[1] != 0 || get32(h + 4) != fr->nframes * FRAME_INDEX_ENTRY ||
	    get32(h + 8) != get32(h + 4)) {
		reader_fail(err, "the store's frame index is damaged%.0llu", 0);
		goto out;
	}
	ix = xmalloc(fr->nframes * FRAME_INDEX_ENTRY + 1);
	if (read_exact(sf, ix, fr->nframes * FRAME_INDEX_ENTRY, idx + sizeof h, err) == -1)
		goto out;
	fr->frames = xcalloc(fr->nframes + 1, sizeof *fr->frames);
	for (i = 0; i < fr->nframes; i++) {
		struct frame_info	*f = &fr->frames[i];
		const uint8_t		*e = ix + i * FRAME_INDEX_ENTRY;

		f->offset = get64(e);
		f->raw_len = get32(e + 8);
		f->stored_len = get32(e + 12);
		f->kind = e[16];
		f->flags = e[17];
		if (f->offset != expect || (f->kind != FRAME_ARCHIVE &&
		    f->kind != FRAME_CATALOG) || f->flags > FLAG_ZSTD ||
		    f->raw_len > FRAME_MAX_RAW ||
		    f->stored_len > ZSTD_compressBound(f->raw_len) ||
		    (f->flags == 0 && f->stored_len != f->raw_len)) {
			reader_fail(err, "the store's frame index is damaged at frame %llu", i);
			goto out;
		}
		expect += FRAME_HEADER_LEN + f->stored_len;
		f->seq = fr->count[f->kind]++;
	}
	if (expect != idx) {
		reader_fail(err, "the store's frame index does not cover the store%.0llu", 0);
		goto out;
	}
	for (k = 0; k < KINDS; k++)
		fr->by_kind[k] = xcalloc(fr->count[k] + 1, sizeof *fr->by_kind[k]);
	for (i = 0; i < fr->nframes; i++)
		fr->by_kind[fr->frames[i].kind][fr->frames[i].seq] = i;
	fr->dctx = ZSTD_createDCtx();
	rc = 0;
out:
	free(ix);
	if (rc == -1)
		frame_reader_free(fr);
	else
		*out = fr;
	return rc;
}

void
frame_reader_free(struct frame_reader *fr)
{
	int	k;

	if (fr == NULL)
		return;
	for (k = 0; k < KINDS; k++)
		free(fr->by_kind[k]);
	free(fr->frames);
	ZSTD_freeDCtx(fr->dctx);
	free(fr->stored);
	free(fr->raw);
	free(fr);
}

uint64_t
frame_reader_count(const struct frame_reader *fr, enum frame_kind k)
{
	return k < KINDS ? fr->count[k] : 0;
}

uint64_t
frame_reader_entries(const struct frame_reader *fr)
{
	return fr->entries;
}

uint64_t
frame_reader_bytes(const struct frame_reader *fr)
{
	return fr->bytes;
}

/* Reads, checks and decompresses frame seq of fr->kind into fr->raw. */
static int
load_frame(struct frame_reader *fr, uint64_t seq, char **err)
{
	const struct frame_info	*f = &fr->frames[fr->by_kind[fr->kind][seq]];
	uint8_t			 h[FRAME_HEADER_LEN];
	size_t			 n;

	fr->loaded = 0;
	if (read_exact(fr->sf, h, sizeof h, f->offset, err) == -1)
		return -1;
	if (h[0] != f->kind || h[1] != f->flags || get32(h + 4) != f->stored_len ||
	    get32(h + 8) != f->raw_len)
		return reader_fail(err, "frame %llu does not match the store's index",
		    fr->by_kind[fr->kind][seq]);
	if (f->raw_len > fr->raw_cap)
		fr->raw = xrealloc(fr->raw, fr->raw_cap = f->raw_len);
	if (f->flags == 0) {
		if (read_exact(fr->sf, fr->raw, f->raw_len, f->offset + sizeof h, err) == -1)
			return -1;
	} else {
		if (f->stored_len > fr->stored_cap)
			fr->stored = xrealloc(fr->stored, fr->stored_cap = f->stored_len);
		if (read_exact(fr->sf, fr->stored, f->stored_len, f->offset + sizeof h,
		    err) == -1)
			return -1;
		n = ZSTD_decompressDCtx(fr->dctx, fr->raw, f->raw_len, fr->stored,
		    f->stored_len);
		if (ZSTD_isError(n) || n != f->raw_len)
			return reader_fail(err, "frame %llu does not decompress",
			    fr->by_kind[fr->kind][seq]);
	}
	fr->cur = seq;
	fr->len = f->raw_len;
	fr->pos = 0;
	fr->loaded = 1;
	return 0;
}

int
frame_reader_seek(struct frame_reader *fr, enum frame_kind kind, uint64_t frame,
    uint32_t off, char **err)
{
	if (kind >= KINDS || frame > fr->count[kind])
		return reader_fail(err, "no frame %llu in the store", frame);
	fr->kind = kind;
	fr->loaded = 0;
	if (frame == fr->count[kind]) {		/* the end */
		fr->cur = frame;
		return off == 0 ? 0 : reader_fail(err, "no frame %llu in the store", frame);
	}
	if (load_frame(fr, frame, err) == -1)
		return -1;
	if (off > fr->len)
		return reader_fail(err, "offset beyond frame %llu", frame);
	fr->pos = off;
	return 0;
}

long
frame_reader_next(struct frame_reader *fr, const void **p, size_t max, char **err)
{
	size_t	take;

	while (!fr->loaded || fr->pos == fr->len) {
		uint64_t next = fr->loaded ? fr->cur + 1 : fr->cur;

		if (next >= fr->count[fr->kind])
			return 0;
		if (load_frame(fr, next, err) == -1)
			return -1;
	}
	take = fr->len - fr->pos < max ? fr->len - fr->pos : max;
	*p = fr->raw + fr->pos;
	fr->pos += take;
	return (long)take;
}
