/*
 * util.h - memory, strings, bounded buffers and small file helpers.
 *
 * Allocation: x*() die on out-of-memory (an interpreter that cannot allocate
 * a few bytes cannot journal honestly either).  Whoever calls x*() frees.
 *
 * struct buf is a growable byte buffer with a hard cap fixed at creation:
 * anything sized by outside input (command output, files, HTTP bodies) goes
 * through one, so no input can make tsi allocate without bound.
 */
#ifndef TSI_UTIL_H
#define TSI_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a)	__attribute__((format(printf, f, a)))
#define NORETURN		__attribute__((noreturn))
#else
#define PRINTF_LIKE(f, a)
#define NORETURN
#endif

/* A macro's value as a string literal: TSI_STR(SCAN_PATH_MAX) "4095". */
#define TSI_STR_(x)	#x
#define TSI_STR(x)	TSI_STR_(x)

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) PRINTF_LIKE(1, 2);
char	*xvasprintf(const char *, va_list);
NORETURN void fatal(const char *, ...) PRINTF_LIKE(1, 2);

/* Growable buffer with a cap; data is always NUL-terminated. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 alloc;
	size_t	 max;		/* hard cap on len; 0 means SIZE_MAX */
};
#define BUF_INIT	{ NULL, 0, 0, 0 }

void	 buf_init(struct buf *, size_t max);
void	 buf_release(struct buf *);
/* Appends; returns -1 (and appends nothing) when the cap would be passed. */
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_adds(struct buf *, const char *);
int	 buf_addch(struct buf *, char);
int	 buf_addf(struct buf *, const char *, ...) PRINTF_LIKE(2, 3);
void	 buf_reset(struct buf *);
char	*buf_detach(struct buf *);	/* caller frees; buf is reset */

/* Whether n bytes of a and b are equal, in a time that does not depend on
 * where they differ (secrets, MACs, hashes). */
int	 mem_equal_ct(const void *a, const void *b, size_t n);

/* Case-insensitive ASCII comparison (variable names, booleans). */
int	 str_ieq(const char *, const char *);
int	 str_has_prefix(const char *, const char *);
/* Parses a whole string as a decimal integer; 0 on success. */
int	 str_to_ll(const char *, long long *);
/* Parses a whole string as a finite number (integer or decimal); 0 on success. */
int	 str_to_num(const char *, double *);
/* Levenshtein distance, for "did you mean" suggestions. */
size_t	 str_distance(const char *, const char *);
/* Best suggestion among names[0..n) for word, or NULL when nothing is close. */
const char *str_suggest(const char *word, const char *const *names, size_t n);

/*
 * Reads a whole file up to max bytes.  Returns 0 and a NUL-terminated buffer
 * (caller frees), or -1 with errno set (EFBIG when the file passes max).
 */
int	 read_file(const char *path, size_t max, char **out, size_t *outlen);
/* The same from an open descriptor, which it closes. */
int	 read_fd(int fd, size_t max, char **out, size_t *outlen);
/*
 * Writes a file atomically: PATH.tmp, fsync, rename, fsync of the directory.
 * mode is applied to the new file.  Returns 0 or -1 with errno set.
 */
int	 write_file_atomic(const char *path, const void *, size_t, int mode);
/* mkdir -p with mode for every created component; 0 or -1 with errno. */
/* fsync(2)s the folder that holds path, so that a rename in it lasts. */
int	 fsync_dir_of(const char *path);
/* rm -rf: never follows symlinks or crosses mounts; 0 when path is gone. */
int	 remove_tree(const char *path);
int	 mkdir_p(const char *path, int mode);
/* Monotonic clock in milliseconds. */
int64_t	 now_ms(void);
/* Wall clock as RFC 3339 UTC with milliseconds into a 32-byte buffer. */
void	 format_utc(char out[32]);
/* Hex SHA-256 of data (65 bytes with NUL). */
void	 sha256_hex(const void *, size_t, char out[65]);
/*
 * The one reading of a boolean in tsi, for sequence values, variables
 * (OSDDoNotLogCommand, OSDMigrateContinueOnRestore...), smp.conf and Lua
 * parameters: true/false, yes/no, 1/0, in any case.  0 with *out set, or
 * -1 for anything else, which callers report as an error.
 */
int	 parse_bool(const char *, int *out);
#define BOOL_WORDS	"true or false (yes/no, 1/0)"
/* len bytes as 2 * len lowercase hex digits and a NUL. */
void	 hex_encode(const void *, size_t len, char *out);
/* Base64 (caller frees), and back into out (max bytes): 0 or -1. */
char	*base64_encode(const unsigned char *, size_t);
int	 base64_decode(const char *, unsigned char *out, size_t max, size_t *n);
/* getrandom(2), in the shape of an mbedTLS RNG callback (ctx unused). */
int	 rng_fill(void *ctx, unsigned char *buf, size_t len);
/* Directory part of path (caller frees); "." when there is none. */
char	*path_dirname(const char *);
/* path relative to the working directory when it lies under it, for
 * messages (caller frees). */
char	*path_display(const char *path);
/* Joins dir and name unless name is absolute (caller frees). */
char	*path_join(const char *dir, const char *name);

#endif
