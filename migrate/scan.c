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

/* Folders this deep and deeper are closed while their subfolders are
 * walked, and opened again through ".." after: a walk of any depth holds
 * a bounded number of descriptors. */
#define SCAN_HOLD_DEPTH	64

struct scan {
	const struct ruleset	*rules;
	scan_fn			 fn;
	void			*ctx;
	size_t			 unreadable;
	int			 stopped;
	struct scan_level	 levels[SCAN_DEPTH_MAX + 1];
};

static void
hand_over(struct scan *sc, struct scan_entry *e)
{
	if (sc->fn(sc->ctx, e) == -1)
		sc->stopped = 1;
}

/* Hands an entry that could not be read to the callback. */
static void
scan_error(struct scan *sc, int dfd, const char *name, const char *rel, int depth,
    int err)
{
	struct scan_entry e = { .dfd = dfd, .name = name, .rel = rel,
	    .levels = sc->levels, .depth = depth, .err = err };

	sc->unreadable++;
	hand_over(sc, &e);
}

/* The names in a folder, read whole so that no stream stays open while
 * its subfolders are walked: NUL-separated in names. */
static int
read_names(int fd, struct buf *names, size_t *count)
{
	DIR		*dir;
	struct dirent	*de;
	int		 dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	names->len = 0;
	*count = 0;
	if (dfd == -1 || (dir = fdopendir(dfd)) == NULL) {
		int saved = errno;

		if (dfd != -1)
			close(dfd);
		errno = saved;
		return -1;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(dir)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		buf_add(names, de->d_name, strlen(de->d_name) + 1);
		(*count)++;
	}
	if (errno != 0) {	/* a listing cut short (EIO, a network file system) */
		int saved = errno;

		closedir(dir);
		errno = saved;
		return -1;
	}
	closedir(dir);
	return 0;
}

static int
same_folder(int fd, const struct stat *want)
{
	struct stat	st;

	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/*
 * The folder levels[depth] again, after a walk below it that closed it:
 * through ".." from child (cheap), else, when the child was moved away,
 * by its names from the deepest folder still held open; each step checked
 * to be the folder the walk saw.  -1 (ESTALE) when it was moved itself.
 */
static int
reopen_level(struct scan *sc, const struct buf *rel, int depth, int child)
{
	int	i, j, fd, nfd;

	if (child != -1 && (fd = openat(child, "..", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		if (same_folder(fd, &sc->levels[depth].st))
			return fd;
		close(fd);
	}
	for (i = depth - 1; i >= 0 && sc->levels[i].fd == -1; i--)
		;
	if (i < 0 || (fd = fcntl(sc->levels[i].fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return -1;
	for (j = i + 1; j <= depth && fd != -1; j++) {
		size_t	from = sc->levels[j - 1].rel_len + (j - 1 > 0);
		char	*name = xstrndup(rel->data + from, sc->levels[j].rel_len - from);

		nfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		free(name);
		close(fd);
		if (nfd != -1 && !same_folder(nfd, &sc->levels[j].st)) {
			close(nfd);
			nfd = -1;
		}
		fd = nfd;
	}
	if (fd == -1)
		errno = ESTALE;
	return fd;
}

int
scan_level_open(const struct scan_entry *e, int i)
{
	struct buf	 up = BUF_INIT;
	int		 k, fd;

	if (e->levels[i].fd != -1)
		return fcntl(e->levels[i].fd, F_DUPFD_CLOEXEC, 0);
	buf_adds(&up, ".");
	for (k = i; k < e->depth; k++)
		buf_adds(&up, k == i ? "." : "/..");
	fd = openat(e->dfd, up.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	buf_release(&up);
	if (fd != -1 && !same_folder(fd, &e->levels[i].st)) {
		close(fd);
		errno = ESTALE;
		fd = -1;
	}
	return fd;
}

/* A folder travels (even empty) when the rules take it and would take
 * what could be in it: not one whose contents a rule leaves out whole
 * (node_modules, which the home pack excludes all below). */
static void
folder_decide(const struct ruleset *rs, struct buf *rel, struct rule_decision *dec)
{
	struct rule_decision	below;
	size_t			len = rel->len;

	rules_decide(rs, rel->data, dec);
	if (!dec->included)
		return;
	buf_adds(rel, "/\001x");
	rules_decide(rs, rel->data, &below);
	if (!below.included) {
		buf_adds(rel, "/\001y");
		rules_decide(rs, rel->data, &below);
		if (!below.included)
			*dec = below;
	}
	rel->len = len;
	rel->data[len] = '\0';
}

/*
 * Walks the folder fd at depth (rel its path); pruned_by: the rule that
 * takes it whole.  Returns the folder's fd at the end (it may have been
 * opened again), or -1 when it was lost (moved away during the walk).
 */
static int
scan_dir(struct scan *sc, int fd, struct buf *rel, int depth,
    const struct rule *pruned_by, size_t pruned_at)
{
	struct buf	 names = BUF_INIT;
	struct stat	 st;
	size_t		 len = rel->len, count, i, off;
	const char	*name;

	sc->levels[depth].fd = fd;
	if (read_names(fd, &names, &count) == -1) {
		if (pruned_by == NULL)
			scan_error(sc, fd, ".", rel->data, depth, errno);
		buf_release(&names);
		return fd;
	}
	for (i = 0, off = 0; i < count && !sc->stopped; i++, off += strlen(name) + 1) {
		struct scan_entry e = { .dfd = fd, .levels = sc->levels, .depth = depth,
		    .st = &st };

		name = names.data + off;
		if (len > 0)
			buf_addch(rel, '/');
		buf_adds(rel, name);
		e.name = name;
		e.rel = rel->data;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT && pruned_by == NULL)	/* ENOENT: gone */
				scan_error(sc, fd, name, rel->data, depth, errno);
		} else if (rel->len > SCAN_PATH_MAX || (S_ISDIR(st.st_mode) &&
		    depth + 1 > SCAN_DEPTH_MAX)) {
			/* a folder beyond a limit is reported whatever the rules
			 * would say of what is in it */
			if (pruned_by != NULL)
				e.dec.by = pruned_by, e.pruned_at = pruned_at;
			else if (S_ISDIR(st.st_mode))
				e.dec.included = 1;
			else
				rules_decide(sc->rules, rel->data, &e.dec);
			e.refused = rel->len > SCAN_PATH_MAX ? "its path is longer than "
			    TSI_STR(SCAN_PATH_MAX) " bytes below the home (tsi's limit)" :
			    "it is deeper than " TSI_STR(SCAN_DEPTH_MAX) " folders below "
			    "the home (tsi's limit)";
			hand_over(sc, &e);
		} else if (S_ISDIR(st.st_mode)) {
			const struct rule *by = pruned_by ? pruned_by :
			    rules_folder_excluded(sc->rules, rel->data);
			int held = depth < SCAN_HOLD_DEPTH, cfd;

			cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* the folder opened is the one described: a swap since
			 * the fstatat must not lend it another's owner and mode */
			if (cfd != -1 && fstat(cfd, &st) == -1) {
				close(cfd);
				cfd = -1;
			}
			if (cfd == -1) {
				if (pruned_by == NULL && errno != ENOENT)
					scan_error(sc, fd, name, rel->data, depth, errno);
			} else {
				sc->levels[depth + 1] = (struct scan_level){ rel->len, st, 0, cfd };
				if (!held) {
					close(fd);
					sc->levels[depth].fd = -1;
				}
				cfd = scan_dir(sc, cfd, rel, depth + 1, by,
				    pruned_by ? pruned_at : by ? rel->len : 0);
				if (!held) {
					fd = reopen_level(sc, rel, depth, cfd);
					sc->levels[depth].fd = fd;
				}
				if (cfd != -1)
					close(cfd);
				if (fd == -1) {
					rel->len = len;
					rel->data[len] = '\0';
					scan_error(sc, AT_FDCWD, ".", rel->data, depth, ESTALE);
					break;
				}
			}
		} else {
			if (pruned_by != NULL) {
				e.dec.by = pruned_by;
				e.pruned_at = pruned_at;
			} else
				rules_decide(sc->rules, rel->data, &e.dec);
			hand_over(sc, &e);
		}
		rel->len = len;
		rel->data[len] = '\0';
	}
	buf_release(&names);
	if (fd != -1 && pruned_by == NULL && !sc->stopped) {
		struct scan_entry e = { .dfd = fd, .name = ".",
		    .st = &sc->levels[depth].st, .levels = sc->levels, .depth = depth,
		    .folder_end = 1 };

		if (depth > 0)
			folder_decide(sc->rules, rel, &e.dec);
		e.rel = rel->data;	/* after: deciding may grow the buffer */
		hand_over(sc, &e);
	}
	return fd;
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
		sc->levels[0].fd = -1;
		scan_error(sc, AT_FDCWD, home, "", 0, errno);
		if (fd != -1)
			close(fd);
	} else if ((fd = scan_dir(sc, fd, &rel, 0, NULL, 0)) != -1)
		close(fd);
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
	uintmax_t	 files, bytes, skipped, refused;
	struct leftout	*leftout;	/* NULL: per user, not told apart */
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

	if (st == NULL || se->folder_end)
		return 0;
	if (se->pruned_at > 0 || !dec->included) {
		e->skipped++;
		if (e->leftout != NULL)
			leftout_add(e->leftout, se);
		return 0;
	}
	if (se->refused != NULL) {
		e->refused++;
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

static void
print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
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
	total.leftout = leftout_new();
	if (users_load(root, all, &us, &d) == -1 || rules_load(&rs, packs, npacks, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		users_release(&us);
		rules_release(&rs);
		usmt_release(&uo);
		leftout_free(total.leftout);
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
		per_user.leftout = total.leftout;
		unreadable = scan_home(root, &us.v[i], &rs, estimate_entry, &per_user, NULL);
		printf("%-24s %10ju %12s %10ju%s\n", us.v[i].name, per_user.files,
		    human_bytes(per_user.bytes, h), per_user.skipped,
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
		total.refused += per_user.refused;
		free(per_user.v);
	}
	printf("\n%-40s %10s %12s\n", "rule pack/component", "files", "bytes");
	for (i = 0; i < total.n; i++) {
		printf("%-40s %10ju %12s\n", total.v[i].name, total.v[i].files,
		    human_bytes(total.v[i].bytes, h));
		free(total.v[i].name);
	}
	printf("\ntotal: %ju files, %s in %zu users; %ju files left out by the rules\n",
	    total.files, human_bytes(total.bytes, h), us.n - left_users, total.skipped);
	if (left_users > 0)
		printf("%zu users left out by /ui, /ue or /uel\n", left_users);
	if (total.refused > 0)
		printf("%ju files or folders beyond tsi's limits (%d folders deep, paths "
		    "of %d bytes below the home): a capture reports each\n",
		    total.refused, SCAN_DEPTH_MAX, SCAN_PATH_MAX);
	putchar('\n');
	leftout_report(total.leftout, print_line, NULL);
	leftout_free(total.leftout);
	free(total.v);
	users_release(&us);
	rules_release(&rs);
	usmt_release(&uo);
	diag_release(&d);
	return r;
}

/* A path on this host below the root (ROOT/home/alice/x, as given or
 * absolute) is the same as the path inside it (/home/alice/x). */
static const char *
inside_root(const char *root, const char *path, char **abs)
{
	char	*r;
	size_t	 n;

	if (strcmp(root, "/") == 0)
		return path;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) == 0 && path[n] == '/')
		return path + n;
	if ((r = realpath(root, NULL)) != NULL && (*abs = realpath(path, NULL)) == NULL) {
		/* the file may be gone: its folder tells */
		char *dir = path_dirname(path), *rdir = realpath(dir, NULL);

		if (rdir != NULL)
			*abs = xasprintf("%s/%s", rdir, strrchr(path, '/') ?
			    strrchr(path, '/') + 1 : path);
		free(dir);
		free(rdir);
	}
	if (r != NULL && *abs != NULL && strncmp(*abs, r, strlen(r)) == 0 &&
	    (*abs)[strlen(r)] == '/') {
		n = strlen(r);
		free(r);
		return *abs + n;
	}
	free(r);
	return path;
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
	char			*why, *abs = NULL;

	diag_init(&d);
	if (users_load(root, 1, &us, &d) == -1 || rules_load(&rs, packs, npacks, &d) == -1) {
		diag_print(&d, stderr, DIAG_TEXT);
		diag_release(&d);
		users_release(&us);
		rules_release(&rs);
		return EXIT_USAGE;
	}
	path = inside_root(root, path, &abs);
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
	free(abs);
	return 0;
}
