/*
 * t-crafted.c - hostile stores: archives crafted by hand (not by tsi's
 * capture) with "..", absolute paths, symlinks followed by files through
 * them, hard links out of the home and sizes larger than the data.  A
 * restore must write nothing outside the home and say what it refused.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../migrate/state.h"
#include "../../store/catalog.h"
#include "../../store/container.h"
#include "unit.h"

static char	dir[] = "/tmp/tsi-unit-crafted.XXXXXX";
static struct identity id;

struct crafted {
	const char	*path, *link, *data;
	int		 type;		/* AE_IFREG, AE_IFLNK, or 0 for a hard link */
	la_int64_t	 size;		/* declared; -1: the data's */
};

static int
sink_fd(void *ctx, const void *p, size_t n)
{
	return write(*(int *)ctx, p, n) == (ssize_t)n ? 0 : -1;
}

/* Where the archive goes; frozen: the crafted stream ends here, and the
 * padding libarchive would add for the missing data never arrives. */
struct out {
	struct frame_writer	*fw;
	int			 frozen;
};

static la_ssize_t
to_frames(struct archive *a, void *ctx, const void *p, size_t n)
{
	struct out	*o = ctx;
	char		*err = NULL;

	(void)a;
	if (o->frozen)
		return -1;
	if (frame_writer_add(o->fw, FRAME_ARCHIVE, p, n, &err) == -1) {
		free(err);
		return -1;
	}
	return (la_ssize_t)n;
}

/* A store holding exactly these entries, with a catalog that lists alice. */
static void
craft(const char *store, const struct crafted *c, size_t n)
{
	struct store_writer	*sw;
	struct frame_writer	*fw;
	struct archive		*a = archive_write_new();
	struct archive_entry	*ae;
	struct buf		 cat = BUF_INIT;
	struct out		 o = { NULL, 0 };
	struct cat_user		 u = { "alice", "alice", "/home/alice", "/bin/sh", "", 1001, 1001 };
	char			*err = NULL;
	size_t			 i;
	int			 fd = open(store, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (store_writer_open(&sw, sink_fd, &fd, &id, 1, 0, &err) == -1) {
		fprintf(stderr, "    # %s\n", err);
		unit_failures++;
		free(err);
		close(fd);
		return;
	}
	fw = frame_writer_new(sw, 1, 1);
	o.fw = fw;
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_per_block(a, 0);
	archive_write_open2(a, &o, NULL, to_frames, NULL, NULL);
	cat_add_field(&cat, CATALOG_MAGIC, "1");
	cat_add_user(&cat, &u);
	for (i = 0; i < n; i++) {
		ae = archive_entry_new();
		archive_entry_copy_pathname(ae, c[i].path);
		archive_entry_set_perm(ae, 0644);
		archive_entry_copy_uname(ae, "alice");
		if (c[i].type == 0) {
			archive_entry_set_filetype(ae, AE_IFREG);
			archive_entry_copy_hardlink(ae, c[i].link);
			archive_entry_set_size(ae, 0);
		} else {
			archive_entry_set_filetype(ae, (unsigned)c[i].type);
			if (c[i].link)
				archive_entry_copy_symlink(ae, c[i].link);
			archive_entry_set_size(ae, c[i].size >= 0 ? c[i].size :
			    c[i].data ? (la_int64_t)strlen(c[i].data) : 0);
		}
		archive_write_header(a, ae);
		if (c[i].data)
			archive_write_data(a, c[i].data, strlen(c[i].data));
		if (c[i].size < 0)
			archive_write_finish_entry(a);
		archive_entry_free(ae);
		if (c[i].size >= 0) {
			o.frozen = 1;	/* a lie about the size ends the archive */
			break;
		}
	}
	if (i == n)
		archive_write_close(a);
	archive_write_free(a);
	cat_add_end(&cat, n, 0);
	CHECK(frame_writer_add(fw, FRAME_CATALOG, cat.data, cat.len, &err) == 0);
	CHECK(frame_writer_finish(fw, n, 0, &err) == 0);
	CHECK(store_writer_close(sw, &err) == 0);
	free(err);
	buf_release(&cat);
	close(fd);
}

static int
restore(const char *store, struct state_counts *n, char **err)
{
	char			*root = xasprintf("%s/root", dir);
	struct restore_opts	 o = { .root = root, .store = store, .id = &id,
				   .overwrite = OVERWRITE_RENAME, .continue_on_error = 1 };
	int			 r = state_restore(&o, NULL, n, err);

	free(root);
	return r;
}

static int
exists(const char *rel)
{
	char		*p = xasprintf("%s/%s", dir, rel);
	struct stat	 st;
	int		 r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static void
setup(void)
{
	char	*p, *err = NULL;

	CHECK(mkdtemp(dir) != NULL);
	p = xasprintf("%s/id", dir);
	CHECK(identity_init(p, "dest", &err) == 0 && identity_load(p, &id, &err) == 0);
	free(p);
	free(err);
	p = xasprintf("mkdir -p %s/root/etc %s/root/home/alice %s/outside && "
	    "echo 'alice:x:1001:1001::/home/alice:/bin/sh' > %s/root/etc/passwd && "
	    "echo 'alice:x:1001:' > %s/root/etc/group && "
	    "ln -s %s/outside %s/root/home/alice/planted", dir, dir, dir, dir, dir, dir, dir);
	CHECK(system(p) == 0);
	free(p);
}

static void
test_paths_out_of_the_home(void)
{
	static const struct crafted c[] = {
		{ "alice/../../../outside/dotdot", NULL, "x", AE_IFREG, -1 },
		{ "alice/Documents/../../../outside/mid", NULL, "x", AE_IFREG, -1 },
		{ "/outside/absolute", NULL, "x", AE_IFREG, -1 },
		{ "alice//double", NULL, "x", AE_IFREG, -1 },
		{ "alice/link", "../../../outside", NULL, AE_IFLNK, -1 },
		{ "alice/link/through", NULL, "x", AE_IFREG, -1 },
		{ "alice/planted/through", NULL, "x", AE_IFREG, -1 },
		{ "alice/hard", "alice/../../../outside/target", NULL, 0, -1 },
		{ "alice/fine.txt", NULL, "fine", AE_IFREG, -1 },
	};
	struct state_counts	 n;
	char			*store, *err = NULL, *ls;

	setup();
	store = xasprintf("%s/evil.tsi", dir);
	craft(store, c, sizeof c / sizeof c[0]);
	CHECK(restore(store, &n, &err) == 0);
	if (err)
		fprintf(stderr, "    # %s\n", err);
	free(err);
	/* nothing outside; the symlink is restored as a symlink, the good file too */
	ls = xasprintf("test -z \"$(ls -A %s/outside)\"", dir);
	CHECK(system(ls) == 0);
	free(ls);
	CHECK(exists("root/home/alice/fine.txt"));
	CHECK(exists("root/home/alice/link"));
	CHECK(!exists("root/home/alice/double"));
	CHECK(n.findings >= 6);
	free(store);
}

/* A size the data does not fill, then one the disk cannot hold. */
static void
test_size_larger_than_data(void)
{
	static const struct crafted shorter[] = {
		{ "alice/first.txt", NULL, "first", AE_IFREG, -1 },
		{ "alice/short.bin", NULL, "only a little", AE_IFREG, 100000 },
	};
	static const struct crafted huge[] = {
		{ "alice/huge.bin", NULL, "only a little", AE_IFREG, (la_int64_t)1 << 50 },
	};
	struct state_counts	 n;
	char			*store = xasprintf("%s/short.tsi", dir), *err = NULL, *cmd;

	craft(store, shorter, 2);
	CHECK(restore(store, &n, &err) == -1);
	CHECK(err != NULL && strstr(err, "damaged") != NULL);
	free(err);
	err = NULL;
	CHECK(exists("root/home/alice/first.txt"));
	CHECK(!exists("root/home/alice/short.bin"));
	free(store);
	store = xasprintf("%s/huge.tsi", dir);
	craft(store, huge, 1);
	CHECK(restore(store, &n, &err) == -1);
	CHECK(err != NULL && strstr(err, "the disk is full") != NULL);
	free(err);
	CHECK(!exists("root/home/alice/huge.bin"));
	/* no temporary file is left behind */
	cmd = xasprintf("! ls -A %s/root/home/alice | grep -q tsi-restore", dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	free(store);
}

static int
sink_file(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/*
 * The inputs fuzz-store found problems with (tests/fuzz/repro/store-*.bin),
 * replayed as the fuzzer does: odd first byte, the rest is plaintext sealed
 * to our identity; even, the rest is the store's bytes.  Each must end in
 * an error or a result, quickly, without a sanitizer report.
 */
static void
test_fuzz_repros(void)
{
	const char		*dirname = "tests/fuzz/repro";
	struct dirent		*de;
	DIR			*dp = opendir(dirname);
	char			*store = xasprintf("%s/repro.tsi", dir), *root;
	char			*out = xasprintf("%s/out", dir), *all[] = { (char *)"**" };
	int			 devnull = open("/dev/null", O_WRONLY), saved = dup(1);
	int			 saved2 = dup(2), n = 0;

	root = xasprintf("%s/root", dir);
	CHECK(dp != NULL);
	while (dp != NULL && (de = readdir(dp)) != NULL) {
		struct restore_opts	 o = { .root = root, .store = store, .id = &id,
					   .overwrite = OVERWRITE_RENAME, .all_users = 1,
					   .continue_on_error = 1 };
		struct state_counts	 cnt;
		char			*path, *text = NULL, *err = NULL;
		size_t			 len;
		FILE			*fp;

		if (strncmp(de->d_name, "store-", 6) != 0)
			continue;
		path = xasprintf("%s/%s", dirname, de->d_name);
		CHECK(read_file(path, 1 << 20, &text, &len) == 0);
		free(path);
		if (text == NULL || len == 0) {
			free(text);
			continue;
		}
		fp = fopen(store, "w");
		if (text[0] & 1) {
			struct store_writer *w;

			CHECK(store_writer_open(&w, sink_file, fp, &id, 1, 4096, &err) == 0);
			store_writer_write(w, text + 1, len - 1, &err);
			store_writer_close(w, &err);
		} else
			fwrite(text + 1, 1, len - 1, fp);
		fclose(fp);
		fflush(stdout);
		dup2(devnull, 1);	/* list and verify print */
		dup2(devnull, 2);
		state_verify(store, NULL);
		state_verify(store, &id);
		state_list(store, &id, 1);
		if (text[0] & 1) {
			state_extract(store, &id, out, all, 1);
			if (state_restore(&o, NULL, &cnt, &err) == -1)
				free(err);
			err = NULL;
			if (state_undo(root, store, NULL, &cnt, &err) == -1)
				free(err);
		}
		fflush(stdout);
		fflush(stderr);
		dup2(saved, 1);
		dup2(saved2, 2);
		free(err);
		free(text);
		n++;
	}
	CHECK(n >= 5);
	if (dp != NULL)
		closedir(dp);
	close(devnull);
	close(saved);
	close(saved2);
	free(store);
	free(out);
	free(root);
}

static void
test_cleanup(void)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	CHECK(system(cmd) == 0);
	free(cmd);
	identity_wipe(&id);
}

UNIT_SUITE(crafted_tests) = {
	UNIT_TEST(paths_out_of_the_home),
	UNIT_TEST(size_larger_than_data),
	UNIT_TEST(fuzz_repros),
	UNIT_TEST(cleanup),
	{ NULL, NULL },
};
