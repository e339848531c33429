/*
 * fuzz-journal.c - libFuzzer target for reading journals (STATE_DIR/journal.json).
 *
 * A journal is tsi's own file, but it sits on disk across restarts and power
 * cuts: a torn or edited one must give "the journal is damaged", never a
 * crash.  Each input is
 *   1. loaded with yaml_load_string() under the journal limits and walked
 *      (every node, node_get() of every field journal.c reads);
 *   2. written to DIR/journal.json and given to journal_peek() (what
 *      `tsi resume` and `tsi run` read first) and to journal_read() with a
 *      stand-in engine: a sequence of 4 nodes, once without and once with
 *      --force.
 * Everything is freed every iteration, sources_free() included.
 *
 * journal_read() reports damage on stderr: run with -close_fd_mask=2.
 * Build: see tests/fuzz/README.md (the Makefile's fuzz rule builds only
 * fuzz-sequence).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/diag.h"
#include "fuzz-input.h"
#include "../../interp/engine-int.h"
#include "../../lib/node.h"
#include "../../interp/seq.h"

#define FAKE_NODES	4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char *const fields[] = {
	"version", "state", "sequence", "hash", "run_id", "started", "ip",
	"nodes", "log_dir", "root", "reboot_command", "status", "exit_codes",
	"variables", "secrets", "name", "value", "secret",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("journal.jsonl");
	return 0;
}

/* Touches every node the way a consumer would; returns a checksum. */
static size_t
walk(const struct node *n, int depth)
{
	size_t	sum = 0, i;

	if (depth > 64)			/* the limits say 16 */
		abort();
	sum += strlen(node_kind_name(n)) + (size_t)node_is_null(n);
	switch (n->kind) {
	case NODE_SCALAR:
		if (n->str == NULL || n->n != 0)
			abort();
		sum += strlen(n->str) + n->len;
		break;
	case NODE_MAP:
		if (n->n % 2 != 0)
			abort();
		for (i = 0; i < ARRAY_SIZE(fields); i++)
			if (node_get(n, fields[i]) != NULL)
				sum++;
		for (i = 0; i < n->n; i += 2)
			if (n->kids[i]->kind != NODE_SCALAR)
				abort();	/* keys are scalars */
		/* FALLTHROUGH */
	case NODE_LIST:
		if (n->str != NULL)
			abort();
		for (i = 0; i < n->n; i++)
			sum += walk(n->kids[i], depth + 1);
		break;
	}
	return sum;
}

static void
read_with_engine(int force)
{
	struct run_opts		 o;
	struct sequence		 seq;
	struct engine		 e;

	memset(&o, 0, sizeof o);
	o.force = force;
	memset(&seq, 0, sizeof seq);
	seq.n = FAKE_NODES;
	memset(&e, 0, sizeof e);
	e.opts = &o;
	e.seq = &seq;
	e.lock_fd = -1;
	e.journal_fd = -1;
	vars_init(&e.vars);
	e.status = xmalloc(FAKE_NODES + 1);
	memset(e.status, ST_NOT_RUN, FAKE_NODES);
	e.status[FAKE_NODES] = '\0';
	e.rc = xcalloc(FAKE_NODES + 1, sizeof *e.rc);
	if (journal_read(&e, fuzz_path) == 0 && (e.ip < 0 || e.ip > FAKE_NODES))
		abort();
	vars_release(&e.vars);
	free(e.status);
	free(e.rc);
	free(e.log_dir);
	free(e.reboot_command);
	free(e.journal_state);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag		 d;
	struct node		*root;
	struct journal_info	 ji;
	static volatile size_t	 sink;

	diag_init(&d);
	root = yaml_load_string("journal.json", (const char *)data, size,
	    &yaml_journal_limits, &d);
	if ((root == NULL) != (d.nerrors != 0))
		abort();
	if (root != NULL)
		sink += walk(root, 0);
	node_free(root);
	diag_release(&d);
	sources_free();

	fuzz_input_write(data, size);
	if (journal_peek(fuzz_path, &ji) == 0)
		journal_info_release(&ji);
	sources_free();
	read_with_engine(0);
	sources_free();
	read_with_engine(1);
	sources_free();
	return 0;
}
