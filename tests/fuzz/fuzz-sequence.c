/*
 * fuzz-sequence.c - libFuzzer target for the sequence loader and compiler.
 *
 * Each input is written to DIR/seq.yaml (DIR a private mkdtemp directory
 * made once per process), because the compiler reads sequences by path: it
 * needs realpath() and a base directory for run_sequence.  Then, as
 * `tsi validate` does: sequence_load() and sequence_check() (variables,
 * typed values, the SMP steps' order) when it compiled, and diag_print() of everything
 * found (in all three formats, to /dev/null: the caret printer quotes
 * source lines).  Every iteration frees all it made, sources_free()
 * included, so that memory does not grow and LeakSanitizer can blame the
 * iteration that leaked.
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

#include "../../lib/diag.h"
#include "fuzz-input.h"
#include "../../interp/seq.h"
#include "../../steps/steps.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

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

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("seq.yaml");
	/* no Lua step types from the host's system directories */
	setenv("TSI_EXTENSION_DIRS", "", 1);
	if ((devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz-sequence: /dev/null");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 d;
	struct sequence	*seq;

	fuzz_input_write(data, size);
	diag_init(&d);
	seq = sequence_load(fuzz_path, &builtin_steps, &d, SEQ_HASH);
	/* errors of loading and a returned sequence never go together (the
	 * whole-sequence checks below may add errors of their own) */
	if (seq != NULL && d.nerrors != 0)
		abort();
	if (seq != NULL) {
		sequence_check(seq, &builtin_steps, NULL, 0, &d);
	}
	diag_print(&d, devnull, DIAG_TEXT);
	diag_print(&d, devnull, DIAG_JSON);
	diag_print(&d, devnull, DIAG_SARIF);
	sequence_free(seq);
	diag_release(&d);
	sources_free();
	return 0;
}
