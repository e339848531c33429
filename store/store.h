/*
 * store.h - the cryptography of user-state stores: identities, key slots
 * and a chunked AEAD stream.  docs/store-format.md describes the bytes.
 *
 * An identity is an X25519 key pair that receives stores (and, for the
 * State Migration Point's protocol, a P-256 signing key pair) kept in a
 * 0700 directory, key files 0600; its public half is one line of text.
 *
 * A store's data is encrypted with a random 256-bit data key in chunks of
 * AES-256-GCM.  Each chunk's nonce holds its counter and a last-chunk
 * flag, and every chunk authenticates the whole header, so truncation,
 * reordering, a flipped bit, a swapped header or a chunk from another
 * store are all detected.  The data key is wrapped once per recipient
 * (X25519 with a fresh ephemeral key, HKDF-SHA256, AES-256-GCM): any one
 * recipient's private key opens the store, nothing else does.
 *
 * Writers and readers work on callbacks, so a store can stream to a file,
 * a pipe or an HTTP upload without a full copy in memory.
 */
#ifndef TSI_STORE_H
#define TSI_STORE_H

#include <stddef.h>
#include <stdint.h>

#define IDENTITY_KEY_LEN	32
#define STORE_DEFAULT_CHUNK	(1024 * 1024)
#define STORE_MAX_CHUNK		(16 * 1024 * 1024)
#define STORE_MIN_CHUNK		512	/* smaller: the trailer outgrows the data */
#define STORE_MAX_RECIPIENTS	16

struct identity {
	char		name[128];
	uint8_t		x25519_pub[IDENTITY_KEY_LEN];
	uint8_t		x25519_priv[IDENTITY_KEY_LEN];	/* zero when only public */
	int		has_private;
	char		*sign_pub_pem;			/* P-256, PEM */
};

/* DIR holds identity.key (0600) and identity.pub; DIR is made 0700. */
int	identity_init(const char *dir, const char *name, char **err);
int	identity_load(const char *dir, struct identity *, char **err);
/* The public line: "tsi-identity-v1 NAME x25519:BASE64 p256:BASE64" (caller frees). */
char	*identity_public_line(const struct identity *);
/* A recipient from a public line, or from a file that holds one. */
int	identity_parse_public(const char *line_or_file, struct identity *, char **err);
void	identity_wipe(struct identity *);
/* Letters, digits, '.', '_' and '-', 1 to 64: identity and computer names. */
int	identity_name_ok(const char *name);
/* Key id: the first 8 bytes of SHA-256 of the X25519 public key, in hex. */
void	identity_key_id(const uint8_t pub[IDENTITY_KEY_LEN], char out[17]);

typedef int	(*store_sink_fn)(void *ctx, const void *, size_t);	/* 0 or -1 */
typedef long	(*store_source_fn)(void *ctx, void *, size_t);	/* bytes, 0 EOF, -1 */

struct store_writer;
struct store_reader;

int	store_writer_open(struct store_writer **, store_sink_fn, void *ctx,
	    const struct identity *recipients, size_t n, size_t chunk_size,
	    char **err);
int	store_writer_write(struct store_writer *, const void *, size_t, char **err);
/* Writes the last chunk; the store is complete only after this. Frees w. */
int	store_writer_close(struct store_writer *, char **err);
/* Frees w without finishing: what was written stays incomplete. */
void	store_writer_abort(struct store_writer *);

int	store_reader_open(struct store_reader **, store_source_fn, void *ctx,
	    const struct identity *, char **err);
/* Bytes read, 0 at the authenticated end, -1 with *err on any damage. */
long	store_reader_read(struct store_reader *, void *, size_t, char **err);
void	store_reader_free(struct store_reader *);
/* The recipients' key ids, for messages (static buffer). */
const char *store_reader_recipients(const struct store_reader *);

/*
 * Random access to a whole store (a file, or an HTTP resource with
 * ranges): the trailer says where every chunk is, so any plaintext range
 * is one or two chunks to decrypt.  Without an identity only the keyless
 * check works.
 */
struct store_file;
typedef long	(*store_pread_fn)(void *ctx, void *, size_t, uint64_t off);
typedef void	(*store_damage_fn)(void *ctx, uint64_t chunk, const char *why);

#define STORE_ID_HEX	33

int	store_file_open(struct store_file **, store_pread_fn, void *ctx, uint64_t size,
	    const struct identity * /* or NULL */, char **err);
uint64_t store_file_plain_size(const struct store_file *);
uint64_t store_file_chunks(const struct store_file *);
void	store_file_id(const struct store_file *, char out[STORE_ID_HEX]);
const char *store_file_recipients(const struct store_file *);
/* Plaintext at off: bytes read (0 at the end), -1 with *err on damage. */
long	store_file_read(struct store_file *, void *, size_t, uint64_t off, char **err);
/* Checks every chunk against the trailer's checksums (and, with a key, its
 * tag); calls bad for each damaged one.  The number damaged, or -1. */
int	store_file_check(struct store_file *, store_damage_fn bad, void *ctx, char **err);
void	store_file_free(struct store_file *);

#endif
