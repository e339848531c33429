/* util.c - see util.h */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/sha256.h>

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	fputs("tsi: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		fatal("xcalloc: %zu * %zu overflows", n, size);
	p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatal("out of memory (%zu * %zu bytes)", n, size);
	return p;
}

void *
xrealloc(void *ptr, size_t n)
{
	void	*p = realloc(ptr, n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		fatal("xreallocarray: %zu * %zu overflows", n, size);
	return xrealloc(ptr, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("xvasprintf: bad format");
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->alloc = 0;
	b->max = max;
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t	max = b->max ? b->max : SIZE_MAX - 1;

	if (n > max - b->len)
		return -1;
	if (b->len + n + 1 > b->alloc) {
		size_t want = b->alloc ? b->alloc : 64;

		while (want < b->len + n + 1)
			want = want > SIZE_MAX / 2 ? b->len + n + 1 : want * 2;
		b->data = xrealloc(b->data, want);
		b->alloc = want;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 r;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	r = buf_adds(b, s);
	free(s);
	return r;
}

char *
buf_detach(struct buf *b)
{
	char	*p = b->data ? b->data : xstrdup("");

	buf_init(b, b->max);
	return p;
}

int
mem_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char	*x = a, *y = b;
	unsigned char			 diff = 0;
	size_t				 i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

int
str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

int
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int
str_to_ll(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
str_to_num(const char *s, double *out)
{
	const char	*p = s;
	char		*end;
	double		 v;

	/* Only plain decimals: no hex, inf, nan or exponents, so "1e3" stays text. */
	if (*p == '+' || *p == '-')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return -1;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

size_t
str_distance(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b), i, j;
	size_t	*row, prev, tmp, best;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	row = xcalloc(lb + 1, sizeof *row);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

const char *
str_suggest(const char *word, const char *const *names, size_t n)
{
	const char	*best = NULL;
	size_t		 bestd = SIZE_MAX, d, i, limit;

	limit = strlen(word) / 3 + 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < n; i++) {
		d = str_distance(word, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

int
read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	int	fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	return read_fd(fd, max, out, outlen);
}

int
read_fd(int fd, size_t max, char **out, size_t *outlen)
{
	struct stat	 st;
	struct buf	 b;
	char		 chunk[65536];
	ssize_t		 n;
	int		 saved;

	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	buf_init(&b, max);
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		/* one allocation and no copies for what stat promises */
		b.data = xmalloc((size_t)st.st_size + 1);
		b.alloc = (size_t)st.st_size + 1;
		b.data[0] = '\0';
	}
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			buf_release(&b);
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			buf_release(&b);
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	if (outlen != NULL)
		*outlen = b.len;
	*out = buf_detach(&b);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
fsync_dir_of(const char *path)
{
	char	*dir = path_dirname(path);
	int	 fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char		*tmp = xasprintf("%s.tmp", path);
	const char	*p = data;
	ssize_t		 n;
	int		 fd, saved;

	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd == -1)
		goto fail;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail_close;
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fdatasync(fd) == -1)
		goto fail_close;
	if (close(fd) == -1) {
		fd = -1;
		goto fail_unlink;
	}
	if (rename(tmp, path) == -1)
		goto fail_unlink;
	free(tmp);
	return fsync_dir_of(path);
fail_close:
	saved = errno;
	close(fd);
	errno = saved;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	saved = errno;
	free(tmp);
	errno = saved;
	return -1;
}

int
mkdir_p(const char *path, int mode)
{
	char	*p = xstrdup(path), *s;
	int	 r = 0;

	for (s = p + 1; r == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			r = -1;
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
format_utc(char out[32])
{
	struct timespec	ts;
	struct tm	tm;
	char		tmp[20];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03dZ", tmp, (int)(ts.tv_nsec / 1000000));
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char	sum[32];

	mbedtls_sha256_ret(data, len, sum, 0);
	hex_encode(sum, sizeof sum, out);
}

int
parse_bool(const char *s, int *out)
{
	if (str_ieq(s, "true") || str_ieq(s, "yes") || strcmp(s, "1") == 0) {
		*out = 1;
		return 0;
	}
	if (str_ieq(s, "false") || str_ieq(s, "no") || strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

void
hex_encode(const void *data, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
}

char *
path_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *
path_display(const char *path)
{
	char	cwd[4096];
	size_t	n;

	if (path[0] != '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	n = strlen(cwd);
	if (strncmp(path, cwd, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
		return xstrdup(path + n + 1);
	return xstrdup(path);
}

char *
path_join(const char *dir, const char *name)
{
	if (name[0] == '/' || dir == NULL || strcmp(dir, ".") == 0)
		return xstrdup(name);
	return xasprintf("%s/%s", dir, name);
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == -1 && errno != ENOENT ?
	    -1 : 0;
}

int
remove_tree(const char *path)
{
	struct stat	st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int
rng_fill(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t	n;

	(void)ctx;
	while (len > 0) {
		n = getrandom(buf, len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

char *
base64_encode(const unsigned char *p, size_t n)
{
	size_t	olen = 0;
	char	*out;

	mbedtls_base64_encode(NULL, 0, &olen, p, n);
	out = xmalloc(olen + 1);
	mbedtls_base64_encode((unsigned char *)out, olen + 1, &olen, p, n);
	out[olen] = '\0';
	return out;
}

int
base64_decode(const char *s, unsigned char *out, size_t max, size_t *n)
{
	return mbedtls_base64_decode(out, max, n, (const unsigned char *)s,
	    strlen(s)) == 0 ? 0 : -1;
}
