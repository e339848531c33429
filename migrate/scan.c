/*
 * scan.c - walking users' homes under the root, as a capture will: no
 * symlink is followed, folders that an unconditional exclude takes whole
 * are not entered, and every entry is handed to the caller with the rule
 * decision.  Also `tsi state estimate` and `tsi state explain`.
 */
#include "migrate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lib/defaults.h"

struct scan {
	const struct ruleset	*rules;
	scan_fn			 fn;
	void			*ctx;
	size_t			 unreadable;
	int			 stopped;
	struct scan_level	 levels[SCAN_DEPTH_MAX + 1];
};

/* Hands an entry that could not be read to the callback. */
static void
scan_error(struct scan *sc, int dfd, const char *name, const char *rel, int depth,
    int err)
{
	struct scan_entry e = { dfd, name, rel, NULL, { 0, NULL }, sc->levels, depth, err };

	sc->unreadable++;
	if (sc->fn(sc->ctx, &e) == -1)
		sc->stopped = 1;
}

static void
scan_dir(struct scan *sc, int dfd, struct buf *rel, int depth)
{
	DIR		*dir;
	struct dirent	*de;
	struct stat	 st;
	size_t		 len = rel->len;

	if ((dir = fdopendir(dfd)) == NULL) {
		scan_error(sc, dfd, "", rel->data, depth, errno);
		close(dfd);
		return;
	}
	while (!sc->stopped && (de = readdir(dir)) != NULL) {
		struct scan_entry e = { dirfd(dir), de->d_name, NULL, &st, { 0, NULL },
		    sc->levels, depth, 0 };

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len > 0)
			buf_addch(rel, '/');
		buf_adds(rel, de->d_name);
		e.rel = rel->data;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT)	/* gone since readdir: nothing to say */
				scan_error(sc, dirfd(dir), de->d_name, rel->data, depth, errno);
		} else if (S_ISDIR(st.st_mode)) {
			if (!rules_folder_excluded(sc->rules, rel->data)) {
				int fd = openat(dirfd(dir), de->d_name, O_RDONLY |
				    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

				if (fd == -1)
					scan_error(sc, dirfd(dir), de->d_name, rel->data,
					    depth, errno);
				else if (depth + 1 > SCAN_DEPTH_MAX) {
					scan_error(sc, dirfd(dir), de->d_name, rel->data,
					    depth, ELOOP);
					close(fd);
				} else {
					sc->levels[depth + 1] = (struct scan_level){
					    rel->len, st, 0 };
					scan_dir(sc, fd, rel, depth + 1);
				}
			}
		} else {
			rules_decide(sc->rules, rel->data, &e.dec);
			if (sc->fn(sc->ctx, &e) == -1)
				sc->stopped = 1;
		}
		rel->len = len;
		rel->data[len] = '\0';
	}
	closedir(dir);
}

size_t
scan_home(const char *root, const struct mig_user *u, const struct ruleset *rs,
    scan_fn fn, void *ctx, int *stopped)
{
	struct scan	*sc = xcalloc(1, sizeof *sc);
	struct buf	 rel = BUF_INIT;
	char		*home = xasprintf("%s%s", strcmp(root, "/") ? root : "", u->home);
	size_t		 n;
	int		 fd;

	sc->rules = rs;
	sc->fn = fn;
	sc->ctx = ctx;
	buf_adds(&rel, "");
	fd = open(home, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &sc->levels[0].st) == -1) {
		scan_error(sc, AT_FDCWD, home, "", 0, errno);
		if (fd != -1)
			close(fd);
	} else
		scan_dir(sc, fd, &rel, 0);
	free(home);
	buf_release(&rel);
	n = sc->unreadable;
	if (stopped != NULL)
		*stopped = sc->stopped;
	free(sc);
	return n;
}

struct tally {
	const void	*key;
	char		*name;
	uintmax_t	 files, bytes;
};

struct estimate {
	struct tally	*v;
	size_t		 n;
	uintmax_t	 files, bytes, skipped;
};

static struct tally *
tally_of(struct estimate *e, const void *key, const char *name)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].key == key)
			return &e->v[i];
	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	memset(&e->v[e->n], 0, sizeof e->v[e->n]);
	e->v[e->n].key = key;
	e->v[e->n].name = xstrdup(name);
	return &e->v[e->n++];
}

static int
estimate_entry(void *ctx, struct scan_entry *se)
{
	struct estimate			*e = ctx;
	const struct rule_decision	*dec = &se->dec;
	const struct stat		*st = se->st;
	struct tally			*t;
	char				*name;

	if (st == NULL)
		return 0;
	if (!dec->included) {
		e->skipped++;
		return 0;
	}
	name = xasprintf("%s/%s", dec->by->pack->name, dec->by->component->name);
	t = tally_of(e, dec->by->component, name);
	free(name);
	t->files++;
	e->files++;
	if (S_ISREG(st->st_mode)) {
		t->bytes += (uintmax_t)st->st_size;
		e->bytes += (uintmax_t)st->st_size;
	}
	return 0;
}

static const char *
human(uintmax_t bytes, char buf[32])
{
	const char	*units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double		 v = (double)bytes;
	int		 u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

int
days_idle(const char *root, const struct mig_user *u, char date[11])
{
	struct stat	 st;
	char		*home = xasprintf("%s%s", strcmp(root, "/") ? root : "", u->home);
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 r = -1;

	date[0] = '\0';
	if (stat(home, &st) == 0) {
		r = st.st_mtime >= now ? 0 : (int)((now - st.st_mtime) / 86400);
		gmtime_r(&st.st_mtime, &tm);
		strftime(date, 11, "%Y-%m-%d", &tm);
	}
	free(home);
	return r;
}

int
state_estimate(const char *root, const char *const *packs, size_t npacks, int all,
    const char *switches)
{
	struct mig_users	us;
	struct ruleset		rs;
	struct estimate		total, per_user;
	struct usmt_opts	uo;
	struct diag		d;
	char			h[32], computer[65] = "localhost", date[11], *err = NULL;
	size_t			i, unreadable, left_users = 0;
	int			r = 0, idle;

	if (usmt_parse(USMT_CAPTURE, switches ? switches : "", &uo, &err) == -1) {
		fprintf(stderr, "tsi: error: %s\n", err);
		free(err);
		return EXIT_USAGE;
	}
	gethostname(computer, sizeof computer - 1);
	diag_init(&d);
	memset(&total, 0, sizeof total);
	if (users_load(root, all, &us, &d) == -1 || rules_load(&rs, packs, npacks, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		users_release(&us);
		rules_release(&rs);
		usmt_release(&uo);
		return EXIT_USAGE;
	}
	diag_print(&d, stderr, DIAG_TEXT);
	printf("%-24s %10s %12s %10s\n", "user", "files", "bytes", "left out");
	for (i = 0; i < us.n; i++) {
		size_t j;

		idle = days_idle(root, &us.v[i], date);
		if (!usmt_user_selected(&uo, computer, us.v[i].name, idle, date)) {
			left_users++;
			continue;
		}
		memset(&per_user, 0, sizeof per_user);
		unreadable = scan_home(root, &us.v[i], &rs, estimate_entry, &per_user, NULL);
		printf("%-24s %10ju %12s %10ju%s\n", us.v[i].name, per_user.files,
		    human(per_user.bytes, h), per_user.skipped,
		    unreadable ? "  (some folders could not be read)" : "");
		for (j = 0; j < per_user.n; j++) {
			struct tally *t = tally_of(&total, per_user.v[j].key, per_user.v[j].name);

			t->files += per_user.v[j].files;
			t->bytes += per_user.v[j].bytes;
			free(per_user.v[j].name);
		}
		total.files += per_user.files;
		total.bytes += per_user.bytes;
		total.skipped += per_user.skipped;
		free(per_user.v);
	}
	printf("\n%-40s %10s %12s\n", "rule pack/component", "files", "bytes");
	for (i = 0; i < total.n; i++) {
		printf("%-40s %10ju %12s\n", total.v[i].name, total.v[i].files,
		    human(total.v[i].bytes, h));
		free(total.v[i].name);
	}
	printf("\ntotal: %ju files, %s in %zu users; %ju files left out by the rules\n",
	    total.files, human(total.bytes, h), us.n - left_users, total.skipped);
	if (left_users > 0)
		printf("%zu users left out by /ui, /ue or /uel\n", left_users);
	free(total.v);
	users_release(&us);
	rules_release(&rs);
	usmt_release(&uo);
	diag_release(&d);
	return r;
}

int
state_explain(const char *root, const char *path, const char *const *packs,
    size_t npacks)
{
	struct mig_users	 us;
	struct ruleset		 rs;
	struct diag		 d;
	const struct mig_user	*u;
	const char		*rel;
	char			*why;

	diag_init(&d);
	if (users_load(root, 1, &us, &d) == -1 || rules_load(&rs, packs, npacks, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		users_release(&us);
		rules_release(&rs);
		return EXIT_USAGE;
	}
	if ((u = users_owner(&us, path, &rel)) == NULL)
		printf("%s: not captured: it is in no user's home (tsi captures "
		    "what is in users' homes)\n", path);
	else if (*rel == '\0')
		printf("%s: the home of user '%s'; what in it travels is decided "
		    "file by file\n", path, u->name);
	else {
		why = rules_explain(&rs, rel);
		printf("%s (user '%s', ~/%s): %s\n", path, u->name, rel, why);
		if (u->uid < 1000 || strcmp(u->name, "nobody") == 0)
			printf("  note: '%s' is a system account (uid %u): it is left "
			    "out unless all users are captured\n", u->name,
			    (unsigned)u->uid);
		free(why);
	}
	users_release(&us);
	rules_release(&rs);
	diag_release(&d);
	return 0;
}
