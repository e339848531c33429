/*
 * admins.c - the console's admins: `tsi smp admin add|list|remove`, and
 * the check of a password at login.  Passwords are kept as the system's
 * libcrypt keeps them, with yescrypt (its default prefix "$y$"), a slow
 * and memory-hard hash; the password itself is never stored or logged.
 */
#include "smp.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/trusted.h"
#include "../lib/util.h"
#include "smp-int.h"

#define PASSWORD_MAX	1024

/* The password in FILE (its first line); "-" is standard input.  0 with
 * *pw (caller wipes and frees), or -1 with *err. */
static int
read_password(const char *file, char **pw, char **err)
{
	char	*text = NULL;
	size_t	 len = 0;
	int	 r;

	if (strcmp(file, "-") == 0) {
		text = xmalloc(PASSWORD_MAX + 2);
		len = fread(text, 1, PASSWORD_MAX + 1, stdin);
		text[len] = '\0';
		r = 0;
	} else
		r = read_file(file, PASSWORD_MAX + 1, &text, &len);
	if (r == -1) {
		*err = xasprintf("cannot read the password file '%s': %s", file,
		    errno == EFBIG ? "longer than a password" : strerror(errno));
		return -1;
	}
	text[strcspn(text, "\r\n")] = '\0';
	if (strlen(text) < 8 || strlen(text) > PASSWORD_MAX) {
		explicit_bzero(text, len);
		free(text);
		*err = xasprintf("the password in '%s' must be 8 to %d bytes on its first line",
		    file, PASSWORD_MAX);
		return -1;
	}
	*pw = text;
	return 0;
}

char *
smp_admin_hash(const char *pw)
{
	struct crypt_data	*cd = xcalloc(1, sizeof *cd);
	char			 salt[CRYPT_GENSALT_OUTPUT_SIZE], *h = NULL, *out;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) != NULL &&
	    (out = crypt_r(pw, salt, cd)) != NULL && out[0] == '$')
		h = xstrdup(out);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return h;
}

int
smp_admin_password_ok(const char *pw, const char *hash)
{
	struct crypt_data	*cd = xcalloc(1, sizeof *cd);
	const char		*out;
	size_t			 n = strlen(hash);
	int			 ok;

	out = crypt_r(pw, hash, cd);
	/* the comparison takes the same time wherever they differ */
	ok = out != NULL && out[0] == '$' && strlen(out) == n &&
	    mem_equal_ct(out, hash, n);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

int
smp_admin_add(const char *dir, const char *name, const char *file, char **err)
{
	struct smp_db	*db;
	char		*pw, *hash;
	int		 r;

	if (!smp_node_name_ok(name)) {
		*err = xasprintf("an admin's name is 1 to 64 letters, digits, '.', '_' and "
		    "'-', not '%s'", name);
		return -1;
	}
	if (read_password(file, &pw, err) == -1)
		return -1;
	hash = smp_admin_hash(pw);
	explicit_bzero(pw, strlen(pw));
	free(pw);
	if (hash == NULL) {
		*err = xstrdup("libcrypt cannot make a yescrypt hash on this system");
		return -1;
	}
	if (smp_admin_open(dir, &db, NULL, err) == -1) {
		free(hash);
		return -1;
	}
	r = db_admin_add(db, name, hash, (long long)time(NULL));
	if (r == DB_TAKEN)
		*err = xasprintf("an admin named '%s' exists already (tsi smp admin remove "
		    "first to change the password)", name);
	else if (r == -1)
		*err = xasprintf("the database: %s", smp_db_error(db));
	else
		printf("added admin '%s'\n", name);
	free(hash);
	smp_db_close(db);
	return r == 0 ? 0 : -1;
}

static void
admin_row(void *ctx, const char *name, long long added, long long last)
{
	char	a[20], l[20];

	db_time_text(added, a);
	db_time_text(last, l);
	buf_addf(ctx, "%-24s %-19s %s\n", name, a, last > 0 ? l : "never");
}

int
smp_admin_list(const char *dir, char **err)
{
	struct smp_db	*db;
	struct buf	 out;
	int		 r;

	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	buf_init(&out, 0);
	if ((r = db_admins_each(db, admin_row, &out)) == -1)
		*err = xasprintf("the database: %s", smp_db_error(db));
	else {
		printf("%-24s %-19s %s\n", "admin", "added (UTC)", "last login (UTC)");
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
	}
	buf_release(&out);
	smp_db_close(db);
	return r;
}

int
smp_admin_remove(const char *dir, const char *name, char **err)
{
	struct smp_db	*db;
	int		 r;

	if (smp_admin_open(dir, &db, NULL, err) == -1)
		return -1;
	if ((r = db_admin_remove(db, name)) == -1)
		*err = xasprintf("the database: %s", smp_db_error(db));
	else if (r == 0)
		*err = xasprintf("no admin '%s' (tsi smp admin list)", name);
	else
		printf("removed admin '%s' and their sessions\n", name);
	smp_db_close(db);
	return r == 1 ? 0 : -1;
}
