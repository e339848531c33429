/*
 * fuzz-sequence.c - libFuzzer target for the sequence loader and compiler.
 *
 * Each input is written to DIR/seq.yaml (DIR a private mkdtemp directory
 * made once per process), because the compiler reads sequences by path: it
 * needs realpath() and a base directory for run_sequence.  Then, as
 * `tsi validate` does: sequence_load(), sequence_check_vars() when it
 * compiled, and diag_print() of everything found (in all three formats, to
 * /dev/null: the caret printer quotes source lines).  Every iteration frees
 * all it made, sources_free() included, so that memory does not grow and
 * LeakSanitizer can blame the iteration that leaked.
 *
 * Relative run_sequence (and extensions) paths resolve inside DIR, which
 * holds nothing but seq.yaml (so they either cycle, load the input itself,
 * or do not exist).  Run with stdin from /dev/null all the same, in case the
 * fuzzer spells /dev/stdin.  TSI_EXTENSION_DIRS is emptied so that the
 * host's extension directories play no part.
 *
 * Build: `make fuzz`; run: see tests/fuzz/README.md.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../interp/diag.h"
#include "../../interp/seq.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

static char	 dir[] = "/tmp/fuzz-sequence.XXXXXX";
static char	 path[sizeof dir + 16];
static FILE	*devnull;

/*
 * check.c hands pointers around; catch stack memory used after its
 * function returned (off by default in clang 14).
 */
const char *
__asan_default_options(void)
{
	return "detect_stack_use_after_return=1";
}

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL) {
		perror("fuzz-sequence: mkdtemp");
		abort();
	}
	snprintf(path, sizeof path, "%s/seq.yaml", dir);
	atexit(cleanup);
	/* no Lua step types from the host's system directories */
	setenv("TSI_EXTENSION_DIRS", "", 1);
	if ((devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz-sequence: /dev/null");
		abort();
	}
	return 0;
}

static void
write_input(const uint8_t *data, size_t size)
{
	int	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd == -1) {
		perror("fuzz-sequence: open");
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n <= 0) {
			perror("fuzz-sequence: write");
			abort();
		}
		data += n;
		size -= (size_t)n;
	}
	close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 d;
	struct sequence	*seq;

	write_input(data, size);
	diag_init(&d);
	seq = sequence_load(path, &d, SEQ_HASH);
	if (seq != NULL)
		sequence_check_vars(seq, NULL, &d);
	/* errors and a returned sequence never go together */
	if (seq != NULL && d.nerrors != 0)
		abort();
	diag_print(&d, devnull, DIAG_TEXT);
	diag_print(&d, devnull, DIAG_JSON);
	diag_print(&d, devnull, DIAG_SARIF);
	sequence_free(seq);
	diag_release(&d);
	sources_free();
	return 0;
}
