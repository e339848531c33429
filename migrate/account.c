/*
 * account.c - LoadState's /lac: a local account for a user of the store
 * that this computer lacks, made with the system's own useradd under the
 * root, disabled unless /lae gives it the password.
 */
#include "migrate.h"
#include "state.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/proc.h"

/* The system's own useradd: by its place, not through PATH (tsi runs as
 * root, and a PATH without /usr/sbin must not lose accounts). */
static const char *
useradd_path(void)
{
	static const char *const places[] = { "/usr/sbin/useradd", "/sbin/useradd" };
	size_t	i;

	for (i = 0; i < sizeof places / sizeof places[0]; i++)
		if (access(places[i], X_OK) == 0)
			return places[i];
	return NULL;
}

int
account_create(const char *root, const char *name, const char *gecos, const char *pw,
    int enable, const struct mig_ids *groups, const struct state_log *log,
    struct state_counts *counts)
{
	char		 salt[CRYPT_GENSALT_OUTPUT_SIZE], *hash = NULL, *home, *prefix;
	struct crypt_data cd;
	struct proc_opts po;
	struct proc_result pr;
	char		*argv[20];
	unsigned long	 gid;
	int		 n = 0, ok, have_group;

	memset(&cd, 0, sizeof cd);
	if (pw != NULL && *pw != '\0' && crypt_gensalt_rn("$y$", 0, NULL, 0, salt,
	    sizeof salt) != NULL)
		hash = crypt_r(pw, salt, &cd);
	/* the store's home and shell are not trusted: a crafted one could say
	 * /etc; the account gets the usual home and the system's default shell */
	home = xasprintf("/home/%s", name);
	/* a store user named like a system group (sudo, docker) must not
	 * join it; a regular group of the same name becomes its group */
	have_group = ids_id(groups, name, &gid) == 0;
	if (have_group && gid < 1000) {
		state_say(log, counts, STATE_FINDING, -1, "user '%s' not created: a system group of that "
		    "name exists here; its files are not restored", name);
		free(home);
		return -1;
	}
	if (useradd_path() == NULL) {
		state_say(log, counts, STATE_FINDING, -1, "user '%s' not created: this system has no "
		    "useradd (/usr/sbin/useradd, from the passwd package); its files "
		    "are not restored", name);
		free(home);
		return -1;
	}
	/* useradd wants an absolute prefix */
	if ((prefix = realpath(root, NULL)) == NULL)
		prefix = xstrdup(root);
	argv[n++] = (char *)useradd_path();
	argv[n++] = (char *)"--prefix";
	argv[n++] = prefix;
	argv[n++] = (char *)"--no-create-home";
	argv[n++] = (char *)"--home-dir";
	argv[n++] = home;
	if (have_group) {
		argv[n++] = (char *)"--gid";
		argv[n++] = (char *)name;
	} else
		argv[n++] = (char *)"--user-group";
	argv[n++] = (char *)"--comment";
	argv[n++] = (char *)gecos;
	argv[n++] = (char *)"--password";
	/* without a password, or without /lae, the account cannot log on */
	argv[n++] = hash != NULL && enable ? hash : (char *)"!";
	argv[n++] = (char *)"--";
	argv[n++] = (char *)name;
	argv[n] = NULL;
	memset(&po, 0, sizeof po);
	po.argv = argv;
	ok = proc_run(&po, &pr) == 0 && pr.exit_code == 0;
	free(pr.tail);
	explicit_bzero(&cd, sizeof cd);
	free(home);
	free(prefix);
	if (!ok) {
		state_say(log, counts, STATE_FINDING, -1, "user '%s' could not be created with useradd "
		    "(exit %d); its files are not restored", name, pr.exit_code);
		return -1;
	}
	state_say(log, counts, STATE_INFO, -1, "created local account '%s'%s", name, enable ?
	    "" : " (disabled: /lae enables it)");
	return 0;
}

