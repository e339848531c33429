/*
 * store-read.c - `tsi state list`, `verify` and `extract`: what a store
 * holds, whether every file in it is intact (like usmtutils /verify), and
 * single files salvaged from it, each without restoring anything.
 */
#include "restore-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../store/fastcrypto.h"

#include "migrate.h"

static const char not_checked[] = "not checked: a sparse file past the 4 GiB of holes "
    "that verify hashes";
#define HOLES_VERIFY_MAX	((la_int64_t)4 << 30)	/* zeros hashed per verify */

static int
open_or_say(struct ustore *us, const char *store, const struct identity *id)
{
	char	*err = NULL;

	if (ustore_open(us, store, id, &err) == 0)
		return 0;
	fprintf(stderr, "tsi: error: %s\n", err);
	free(err);
	ustore_close(us);
	return -1;
}

int
state_list(const char *store, const struct identity *id, int verbose)
{
	struct ustore	 us;
	struct cat_line	 l;
	char		 when[32], *err = NULL, *path, *link;
	struct tm	 tm;
	time_t		 t;
	uint64_t	 files = 0, bytes = 0;
	int		 k;

	if (open_or_say(&us, store, id) == -1)
		return 1;
	while ((k = ustore_next(&us, &l, &err)) == 1) {
		const struct cat_entry *e = &l.entry;

		t = (time_t)e->mtime;
		/* a crafted time may be out of any calendar's range */
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm) == 0)
			snprintf(when, sizeof when, "%16s", "?");
		path = cat_escape(e->path);
		link = e->link ? cat_escape(e->link) : NULL;
		printf("%c %04o %-8s %12" PRIu64 " %s %s%s%s", e->type, e->mode,
		    e->uname[0] ? e->uname : "?", e->size, when, path,
		    link ? (e->type == 'l' ? " -> " : " => ") : "", link ? link : "");
		if (verbose && e->sha256[0])
			printf("  sha256:%s", e->sha256);
		if (e->flags & CAT_CHANGED)
			printf("  (changed while captured)");
		putchar('\n');
		free(path);
		free(link);
		files += e->type != 'd';
		bytes += e->size;
	}
	if (k == -1) {
		fprintf(stderr, "tsi: error: %s\n", err);
		free(err);
	} else
		fprintf(stderr, "tsi: %" PRIu64 " files, %" PRIu64 " bytes, from '%s'\n",
		    files, bytes, us.source ? us.source : "?");
	ustore_close(&us);
	return k == -1 ? 1 : 0;
}

static void
chunk_damage(void *ctx, uint64_t chunk, const char *why)
{
	(void)chunk;
	printf("damaged: %s\n", why);
	(*(int *)ctx)++;
}

/* Hashes n zero bytes (a hole); -1 when all holes hashed by this verify
 * would pass HOLES_VERIFY_MAX (a crafted store could ask for days). */
static int
hash_zeros(struct sha256_ctx *sha, la_int64_t n, la_int64_t *holes)
{
	static const uint8_t	zero[65536];

	if (n > HOLES_VERIFY_MAX - *holes)
		return -1;
	*holes += n;
	while (n > 0) {
		size_t z = n < (la_int64_t)sizeof zero ? (size_t)n : sizeof zero;

		sha256_update(sha, zero, z);
		n -= (la_int64_t)z;
	}
	return 0;
}

/*
 * Hashes the data of the archive entry just read: 0 ok, -1 unreadable, 1
 * not checked (a sparse file with more holes than verify hashes: the
 * catalog's sum covers the zeros, and a crafted map could ask for days).
 */
/* A sparse file's data, hashed as sparse-hash.c says: -1 unreadable. */
static int
hash_sparse(struct archive *a, struct archive_entry *ae, char out[65])
{
	struct sparse_hash	 h;
	const void		*data;
	size_t			 size;
	la_int64_t		 off, at = 0, want = archive_entry_size(ae);
	int			 r;

	sparse_hash_init(&h);
	while ((r = archive_read_data_block(a, &data, &size, &off)) == ARCHIVE_OK) {
		if (off < at || off > want)
			return -1;
		sparse_hash_data(&h, off, data, size);
		at = off + (la_int64_t)size;
	}
	sparse_hash_final(&h, want, out);
	return r == ARCHIVE_EOF ? 0 : -1;
}

static int
hash_entry(struct archive *a, struct archive_entry *ae, char out[65], la_int64_t *holes_p)
{
	struct sha256_ctx	 sha;
	const void		*data;
	size_t			 size;
	la_int64_t		 off, at = 0, want = archive_entry_size(ae), holes = *holes_p;
	int			 rc;
	uint8_t			 sum[32];
	int			 r;

	sha256_init(&sha);
	while ((r = archive_read_data_block(a, &data, &size, &off)) == ARCHIVE_OK) {
		if (off < at || off > want)
			return -1;
		if (off > at && hash_zeros(&sha, off - at, &holes) == -1) {
			rc = 1;
			goto out;
		}
		sha256_update(&sha, data, size);
		at = off + (la_int64_t)size;
	}
	/* a sparse file may end with a hole */
	if (r == ARCHIVE_EOF && at < want && hash_zeros(&sha, want - at, &holes) == -1) {
		rc = 1;
		goto out;
	}
	sha256_final(&sha, sum);
	hex_encode(sum, sizeof sum, out);
	rc = r == ARCHIVE_EOF ? 0 : -1;
out:
	*holes_p = holes;	/* the budget is for the whole verify */
	return rc;
}

/* Whether the archive entry is the one the catalog names. */
static int
same_path(struct archive_entry *ae, const char *cataloged)
{
	char	*name = ustore_entry_name(ae);
	int	 same = strcmp(name, cataloged) == 0;

	free(name);
	return same;
}

/* Reads the archive entry of catalog entry e and checks it against e. */
static const char *
check_entry(struct ustore *us, const struct cat_entry *e, int *in_sync,
    la_int64_t *holes)
{
	struct archive_entry	*ae;
	char			*err = NULL, sum[65];
	int			 k;

	if (!*in_sync && ustore_seek(us, e->frame, e->off, &err) == -1) {
		free(err);
		return "unreadable (its part of the store is damaged)";
	}
	*in_sync = 0;
	k = archive_read_next_header(us->a, &ae);
	if (k != ARCHIVE_OK && k != ARCHIVE_WARN)
		return "unreadable (its part of the store is damaged)";
	if (!same_path(ae, e->path))
		return "missing from the archive (the catalog and archive differ)";
	/* a wrong size needs no hashing (hashing costs the declared size) */
	if (e->type == 'f' && archive_entry_size(ae) != (la_int64_t)e->size)
		return "damaged (its size does not match the catalog)";
	if (e->type == 'f' && (k = (e->flags & CAT_SPARSE_HASH) ? hash_sparse(us->a, ae,
	    sum) : hash_entry(us->a, ae, sum, holes)) == -1)
		return "unreadable (its data is damaged)";
	if (e->type == 'f' && k == 1) {
		*in_sync = 0;
		return not_checked;
	}
	if (e->type == 'f' && e->sha256[0] && (archive_entry_size(ae) != (la_int64_t)e->size ||
	    strcmp(sum, e->sha256) != 0))
		return "damaged (its SHA-256 does not match the catalog)";
	*in_sync = 1;
	return NULL;
}

static const char *
check_hardlink(struct ustore *us, const struct cat_entry *e)
{
	struct stat	st;
	const char	*name;
	int		 dfd = ustore_data_dir(us, e->path, &name);

	if (dfd == -1 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return "missing from the store";
	if (e->type == 'f' && ((uint64_t)st.st_size != e->size || st.st_mtime != e->mtime))
		return "changed since the capture (size or time differ)";
	return NULL;
}

int
state_verify(const char *store, const struct identity *id)
{
	struct ustore	 us;
	struct cat_line	 l;
	const char	*why;
	char		*err = NULL, *path;
	uint64_t	 ok = 0, bad = 0, unchecked = 0;
	la_int64_t	 holes = 0;
	int		 chunks_bad = 0, k, in_sync = 0;

	if (open_or_say(&us, store, id) == -1)
		return 1;
	if (!us.hardlink) {
		k = store_file_check(us.sf, chunk_damage, &chunks_bad, &err);
		printf("chunks: %" PRIu64 ", %d damaged\n", store_file_chunks(us.sf),
		    chunks_bad);
		if (id == NULL) {
			printf("catalog: not checked (without --identity only the encrypted "
			    "chunks are checked)\n");
			ustore_close(&us);
			return chunks_bad ? 1 : 0;
		}
	}
	while ((k = ustore_next(&us, &l, &err)) == 1) {
		why = us.hardlink ? check_hardlink(&us, &l.entry) :
		    check_entry(&us, &l.entry, &in_sync, &holes);
		if (why == NULL) {
			ok++;
			continue;
		}
		path = cat_escape(l.entry.path);
		if (why == not_checked) {
			printf("%s: %s\n", path, why);
			unchecked++;
		} else {
			printf("damaged: %s: %s\n", path, why);
			bad++;
		}
		free(path);
	}
	if (k == -1) {
		printf("catalog: damaged: %s\n", err);
		free(err);
	} else
		printf("catalog: intact, %" PRIu64 " entries\n", ok + bad + unchecked);
	printf("files: %" PRIu64 " intact, %" PRIu64 " damaged", ok, bad);
	if (unchecked > 0)
		printf(", %" PRIu64 " not checked", unchecked);
	putchar('\n');
	ustore_close(&us);
	return k == -1 || bad > 0 || chunks_bad > 0 ? 1 : 0;
}

static int
matches(const char *path, char *const *patterns, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (glob_match(patterns[i], path))
			return 1;
	return n == 0;
}

int
state_extract(const char *store, const struct identity *id, const char *to,
    char *const *patterns, size_t npatterns)
{
	struct ustore		 us;
	struct cat_line		 l;
	struct placer		 p;
	struct state_counts	 n;
	struct state_log	 log = { NULL, NULL, NULL };
	struct archive_entry	*ae;
	struct stat		 st;
	char			*err = NULL;
	uint64_t		 index = 0, before;
	int			 k, h, base;

	if (mkdir_p(to, 0700) == -1 || (base = open(to, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		fprintf(stderr, "tsi: error: cannot use '%s': %s\n", to, strerror(errno));
		return 1;
	}
	if (open_or_say(&us, store, id) == -1) {
		close(base);
		return 1;
	}
	memset(&n, 0, sizeof n);
	placer_init(&p, base, to);
	p.counts = &n;
	p.log = &log;
	p.overwrite = OVERWRITE_RENAME;
	snprintf(p.tmp_tag, sizeof p.tmp_tag, ".tsi-extract-");
	while ((k = ustore_next(&us, &l, &err)) == 1) {
		index++;
		if (l.entry.type == 'd' || !matches(l.entry.path, patterns, npatterns))
			continue;
		if (us.hardlink) {
			before = n.created + n.renamed + n.unchanged;
			const char *name;
			int dfd = ustore_data_dir(&us, l.entry.path, &name);

			if (dfd == -1 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
			    placer_link(&p, l.entry.path, dfd, name, &st, NULL, -1, -1,
			    index) == -1)
				break;
			if (n.created + n.renamed + n.unchanged > before)
				printf("%s/%s\n", to, l.entry.path);
			continue;
		}
		if (ustore_seek(&us, l.entry.frame, l.entry.off, &err) == -1 ||
		    ((h = archive_read_next_header(us.a, &ae)) != ARCHIVE_OK &&
		    h != ARCHIVE_WARN) ||	/* EOF (1) gives an empty entry */
		    !same_path(ae, l.entry.path)) {
			fprintf(stderr, "tsi: error: %s: cannot be read from the store%s%s\n",
			    l.entry.path, err ? ": " : "", err ? err : "");
			free(err);
			err = NULL;
			n.findings++;
			continue;
		}
		before = n.created + n.renamed + n.unchanged;
		if (placer_entry(&p, l.entry.path, us.a, ae, -1, -1, index) == -1)
			break;
		if (n.created + n.renamed + n.unchanged > before)
			printf("%s/%s\n", to, l.entry.path);
	}
	if (k == -1) {
		fprintf(stderr, "tsi: error: %s\n", err);
		free(err);
	}
	if (p.fatal != NULL)
		fprintf(stderr, "tsi: error: %s\n", p.fatal);
	fprintf(stderr, "tsi: extracted %" PRIu64 " files into '%s'; %" PRIu64
	    " findings\n", n.created + n.renamed + n.unchanged, to, n.findings);
	k = k == -1 || p.fatal != NULL || n.findings > 0 ? 1 : 0;
	placer_release(&p);
	close(base);
	ustore_close(&us);
	return k;
}
