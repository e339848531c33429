/*
 * fuzz-smp.c - libFuzzer target for what the State Migration Point reads
 * from the network and from its directory.
 *
 * The input is lines: METHOD, TARGET, AUTHORIZATION, RANGE, then the rest
 * is an smp.conf.  The conf goes to smp_conf_parse(); method and target to
 * smp_parse_target(); the header to smp_parse_auth() and, through a real
 * server directory made once (tsi smp init, one registered computer), to
 * smp_authenticate() (the word NOW in it becomes the current time, so the
 * signature check and the replay table are reached); a parsed target goes
 * to the read-only handlers (status, download) as the registered computer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../interp/diag.h"
#include "../../interp/util.h"
#include "../../smp/smp.h"
#include "../../smp/smp-int.h"
#include "../../store/store.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smp_server	srv;
static char			*cert, *key;
static struct smp_who		who;

static void
fuzz_smp_cleanup(void)
{
	char	*p = xasprintf("%s/srv", fuzz_dir);

	smp_server_close(&srv, &cert, &key);
	remove_tree(p);
	free(p);
	p = xasprintf("%s/id", fuzz_dir);
	remove_tree(p);
	free(p);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	*dir, *id, *pub, *err = NULL;
	FILE	*devnull = fopen("/dev/null", "w");

	(void)argc;
	(void)argv;
	fuzz_input_init("smp.conf");
	dir = xasprintf("%s/srv", fuzz_dir);
	id = xasprintf("%s/id", fuzz_dir);
	pub = xasprintf("%s/identity.pub", id);
	if (smp_init(dir, "fuzz", &err) == -1 || identity_init(id, "pc", &err) == -1 ||
	    smp_computer_add(dir, "pc", pub, &err) == -1 ||
	    smp_server_open(&srv, dir, &cert, &key, &err) == -1) {
		fprintf(stderr, "fuzz-smp: %s\n", err);
		abort();
	}
	snprintf(who.name, sizeof who.name, "pc");
	atexit(fuzz_smp_cleanup);
	if (devnull != NULL)
		fclose(devnull);
	free(dir);
	free(id);
	free(pub);
	return 0;
}

/* The next line of the input (NUL-terminated copy), or "" at the end. */
static char *
next_line(const char **p, const char *end)
{
	const char	*nl = memchr(*p, '\n', (size_t)(end - *p));
	char		*line;

	if (nl == NULL)
		nl = end;
	line = xstrndup(*p, (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return line;
}

static char *
with_now(const char *auth)
{
	const char	*at = strstr(auth, "NOW");
	char		 now[32];

	if (at == NULL)
		return xstrdup(auth);
	snprintf(now, sizeof now, "%lld", (long long)time(NULL));
	return xasprintf("%.*s%s%s", (int)(at - auth), auth, now, at + 3);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data, *end = p + size, *why;
	char			*method, *target, *auth, *range, *conf_text, *a2;
	struct smp_conf		 conf;
	struct smp_req		 req;
	struct smp_auth		 sa;
	struct smp_reply	 r;
	struct smp_who		 w;
	struct diag		 d;
	uint64_t		 from, to;

	method = next_line(&p, end);
	target = next_line(&p, end);
	auth = next_line(&p, end);
	range = next_line(&p, end);
	conf_text = xstrndup(p, (size_t)(end - p));

	diag_init(&d);
	if (smp_conf_parse("smp.conf", conf_text, strlen(conf_text), &conf, &d) == 0)
		smp_conf_release(&conf);
	diag_release(&d);
	sources_free();

	smp_parse_auth(auth, &sa, &why);
	smp_parse_range(range, &from, &to);
	memset(&r, 0, sizeof r);
	r.fd = -1;
	buf_init(&r.body, 64 * 1024);
	a2 = with_now(auth);
	smp_authenticate(&srv, method, target, a2, SMP_EMPTY_SHA256, &w, &r);
	free(a2);
	if (smp_parse_target(method, target, &req, &why) == 0 && !req.bad_id) {
		buf_reset(&r.body);
		if (req.route == SMP_R_STATUS)
			smp_h_status(&srv, &who, &req, &r);
		else if (req.route == SMP_R_DOWNLOAD)
			smp_h_download(&srv, &who, &req, range, &r);
		else if (req.route == SMP_R_CAPACITY)
			smp_h_capacity(&srv, &who, &r);
		if (r.fd != -1)
			close(r.fd);
	}
	buf_release(&r.body);
	free(method);
	free(target);
	free(auth);
	free(range);
	free(conf_text);
	return 0;
}
