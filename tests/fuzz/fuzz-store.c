/*
 * fuzz-store.c - libFuzzer target for reading user-state stores.
 *
 * Random bytes never pass AES-GCM, so the first byte of an input chooses
 * what the rest is:
 *   even: the bytes of a store file as they come (header, key slots,
 *         chunks, trailer): `tsi state verify` without and with the key,
 *         and `tsi state list`;
 *   odd:  the plaintext inside a store (frames, index, footer, catalog,
 *         pax archive): sealed to the fuzzer's identity into a valid store,
 *         then listed, verified, extracted and restored into a scratch
 *         root, so every layer under the encryption meets hostile data;
 *   even with bit 6 (64): the catalog of a hard-link store (its optional
 *         META field of ACLs and attributes included), beside a data/
 *         folder with a few files: verified, listed, restored and undone.
 * Nothing may crash, leak, hang or write outside the scratch root.
 * Run with -close_fd_mask=3 (the commands print).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../migrate/state.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct identity	id;
static char		*root, *out, *hlstore;

/* fuzz_input_cleanup() cannot rmdir a directory that holds id/ and root/ */
static void
remove_scratch(void)
{
	remove_tree(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*dir, *err = NULL, *cmd;

	(void)argc;
	(void)argv;
	fuzz_input_init("store.tsi");
	atexit(remove_scratch);		/* runs before fuzz_input_cleanup */
	dir = xasprintf("%s/id", fuzz_dir);
	if (identity_init(dir, "fuzz", &err) == -1 || identity_load(dir, &id, &err) == -1) {
		fprintf(stderr, "fuzz-store: %s\n", err);
		abort();
	}
	free(dir);
	root = xasprintf("%s/root", fuzz_dir);
	out = xasprintf("%s/out", fuzz_dir);
	hlstore = xasprintf("%s/hl", fuzz_dir);
	cmd = xasprintf("mkdir -p %s/etc && printf 'alice:x:1001:1001::/home/alice:/bin/sh\\n"
	    "bob:x:1002:1002::/home/bob:/bin/sh\\n' > %s/etc/passwd && printf 'alice:x:1001:\\n'"
	    " > %s/etc/group", root, root, root);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	return 0;
}

static int
sink(void *ctx, const void *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

static void
seal(const uint8_t *data, size_t size)
{
	struct store_writer	*w;
	FILE			*fp = fopen(fuzz_path, "we");
	char			*err = NULL;

	if (fp == NULL || store_writer_open(&w, sink, fp, &id, 1, 4096, &err) == -1 ||
	    store_writer_write(w, data, size, &err) == -1 || store_writer_close(w, &err) == -1)
		abort();
	fclose(fp);
}

/* Files already in alice's home, as the seeds name them: restores collide. */
static void
populate(void)
{
	static const char *const files[] = { "home/alice/.bashrc",
	    "home/alice/Documents/b.txt", "home/alice/Documents/a.txt" };
	size_t	i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		char	*p = xasprintf("%s/%s", root, files[i]), *d = path_dirname(p);
		FILE	*fp;

		if (mkdir_p(d, 0755) == 0 && (fp = fopen(p, "we")) != NULL) {
			fputs("already here\n", fp);
			fclose(fp);
		}
		free(d);
		free(p);
	}
}

static void
scrub(void)
{
	char	*home = xasprintf("%s/home", root), *var = xasprintf("%s/var", root);

	remove_tree(home);
	remove_tree(var);
	remove_tree(out);
	free(home);
	free(var);
}

/* A hard-link store: the input as its catalog, and data/alice/ files. */
static void
hardlink_store(const uint8_t *data, size_t size)
{
	char	*p;
	FILE	*fp;

	remove_tree(hlstore);
	p = xasprintf("%s/data/alice/Documents", hlstore);
	if (mkdir_p(p, 0700) == -1)
		abort();
	free(p);
	p = xasprintf("%s/data/alice/Documents/a.txt", hlstore);
	if ((fp = fopen(p, "we")) != NULL) {
		fputs("a file\n", fp);
		fclose(fp);
	}
	free(p);
	p = xasprintf("%s/catalog", hlstore);
	if ((fp = fopen(p, "we")) == NULL || fwrite(data, 1, size, fp) != size)
		abort();
	fclose(fp);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* bits 1-2 of the first byte: the collision rule; bit 3: files are
	 * in the home already; bit 4: the restore runs twice (a resume) */
	struct restore_opts	 o = { .root = root, .store = fuzz_path, .id = &id,
				   .overwrite = (enum overwrite_mode)(size ? data[0] >> 1 & 3 : 0),
				   .all_users = 1, .continue_on_error = 1 };
	struct state_counts	 n;
	char			*err = NULL, *all[] = { (char *)"**" };

	if (size == 0)
		return 0;
	if ((data[0] & 1) == 0 && (data[0] & 64)) {
		hardlink_store(data + 1, size - 1);
		o.store = hlstore;
		o.id = NULL;
		state_verify(hlstore, NULL);
		state_list(hlstore, NULL, 1);
		if (data[0] & 8)
			populate();
		if (state_restore(&o, NULL, &n, &err) == -1)
			free(err);
		err = NULL;
		if (state_undo(root, hlstore, NULL, &n, &err) == -1)
			free(err);
		scrub();
		return 0;
	}
	if (data[0] & 1)
		seal(data + 1, size - 1);
	else
		fuzz_input_write(data + 1, size - 1);
	state_verify(fuzz_path, NULL);
	state_verify(fuzz_path, &id);
	state_list(fuzz_path, &id, 1);
	if (data[0] & 1) {
		state_extract(fuzz_path, &id, out, all, 1);
		if (data[0] & 8)
			populate();
		if (state_restore(&o, NULL, &n, &err) == -1)
			free(err);
		err = NULL;
		if ((data[0] & 16) && state_restore(&o, NULL, &n, &err) == -1)
			free(err);
		err = NULL;
		if (state_undo(root, fuzz_path, NULL, &n, &err) == -1)
			free(err);
		scrub();
	}
	return 0;
}
