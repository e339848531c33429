/*
 * container.h - what travels inside a store's encrypted stream: frames.
 *
 * The plaintext of a store is a sequence of frames, each a 12-byte frame
 * header and a payload compressed on its own with zstd (or stored as is).
 * Archive frames carry a pax archive of the users' files, catalog frames
 * the catalog (one line per file, with its SHA-256 and where its archive
 * entry starts); at the end an index frame lists every frame, and a
 * fixed footer says where the index is.  Because frames are independent
 * and the encryption is chunked, one file can be listed, checked or
 * extracted by decrypting and decompressing only the frames it is in.
 * docs/store-format.md has the bytes.
 *
 * Writing compresses frames on worker threads (zstd on all cores, up to
 * FRAMES_MAX_THREADS) while a writer thread encrypts and writes them in
 * order; memory stays bounded by a fixed ring of frame buffers.
 */
#ifndef TSI_CONTAINER_H
#define TSI_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum frame_kind {
	FRAME_ARCHIVE = 1,
	FRAME_CATALOG = 2,
	FRAME_INDEX = 3,
};

#define FRAME_HEADER_LEN	12
#define FRAME_TARGET		(2 * 1024 * 1024)	/* raw bytes per frame */
#define FRAME_MAX_RAW		(8 * 1024 * 1024)	/* readers refuse more */
#define FRAMES_MAX_THREADS	8
#define FRAME_INDEX_ENTRY	20
#define FOOTER_LEN		40
#define FOOTER_MAGIC		"TSIFOOT1"
#define FRAMES_MAX		(UINT64_C(1) << 28)

struct frame_writer;

/* compress: 0 stores frames as is (/nocompress); threads 0: all cores. */
struct frame_writer *frame_writer_new(struct store_writer *, int compress, int threads);
/* Appends raw bytes to the open frame of a kind; -1 with *err. */
int	frame_writer_add(struct frame_writer *, enum frame_kind, const void *, size_t,
	    char **err);
/* Where the next byte of a kind goes: its frame (counted per kind) and offset. */
void	frame_writer_pos(const struct frame_writer *, enum frame_kind,
	    uint64_t *frame, uint32_t *off);
/* Bytes written to the store so far (compressed), for progress. */
uint64_t frame_writer_stored(struct frame_writer *);
/* Flushes every frame, writes the index and the footer; frees fw.  The
 * store_writer is not closed.  The footer says how many entries and
 * bytes of files the archive holds. */
int	frame_writer_finish(struct frame_writer *, uint64_t entries, uint64_t bytes,
	    char **err);
/* Stops the threads and frees fw without finishing. */
void	frame_writer_abort(struct frame_writer *);

struct frame_info {
	uint64_t	offset;		/* in the plaintext */
	uint32_t	raw_len, stored_len;
	uint8_t		kind, flags;
	uint64_t	seq;		/* counted per kind */
};

struct frame_reader;

int	frame_reader_open(struct frame_reader **, struct store_file *, char **err);
void	frame_reader_free(struct frame_reader *);
uint64_t frame_reader_count(const struct frame_reader *, enum frame_kind);
uint64_t frame_reader_entries(const struct frame_reader *);
uint64_t frame_reader_bytes(const struct frame_reader *);
/* Positions the stream of a kind at (frame, off); later reads go on from
 * there through the following frames of that kind. */
int	frame_reader_seek(struct frame_reader *, enum frame_kind, uint64_t frame,
	    uint32_t off, char **err);
/* Raw bytes of the current kind: a pointer into the frame buffer, valid
 * until the next call; 0 at the end of the kind's frames, -1 on damage. */
long	frame_reader_next(struct frame_reader *, const void **, size_t max, char **err);

#endif
