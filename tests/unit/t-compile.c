/* t-compile.c - the instruction table the compiler builds */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../interp/seq.h"
#include "../../steps/steps.h"
#include "unit.h"

static struct sequence *
compile_text(const char *text, struct diag *d)
{
	char		 path[] = "/tmp/tsi-unit-seq.XXXXXX";
	int		 fd = mkstemp(path);
	struct sequence	*s;

	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	s = sequence_load(path, &builtin_steps, d, SEQ_HASH);
	unlink(path);
	return s;
}

static void
test_table(void)
{
	struct diag	 d;
	struct sequence	*s;

	diag_init(&d);
	s = compile_text(
	    "name: T\n"
	    "steps:\n"
	    "  - name: G1\n"
	    "    steps:\n"
	    "      - {name: S1, type: set_variable, with: {name: A, value: 1}}\n"
	    "      - name: G2\n"
	    "        steps:\n"
	    "          - {name: S2, type: run_command, with: {command: 'true'}}\n"
	    "  - {name: S3, type: restart}\n", &d);
	CHECK(s != NULL);
	if (s == NULL) {
		diag_release(&d);
		return;
	}
	CHECK_INT(s->n, 5);
	CHECK_INT(s->nsteps, 3);
	CHECK_INT(s->nodes[0]->end, 4);		/* G1 spans S1, G2, S2 */
	CHECK_INT(s->nodes[2]->parent, 0);
	CHECK_INT(s->nodes[3]->parent, 2);
	CHECK_INT(s->nodes[3]->step_number, 2);
	CHECK_INT(s->nodes[4]->parent, -1);
	CHECK_INT(s->nodes[3]->nsuccess, 2);	/* default 0 3010 */
	CHECK_INT(s->nodes[3]->success_codes[1], 3010);
	CHECK_INT(strlen(s->hash), 64);
	sequence_free(s);
	diag_release(&d);
}

static void
test_errors_gathered(void)
{
	struct diag	d;

	diag_init(&d);
	CHECK(compile_text(
	    "steps:\n"
	    "  - {name: a, type: nope}\n"
	    "  - {name: b, type: run_command, with: {command: x, argv: [y]}}\n"
	    "  - {name: c, type: set_variable, with: {name: X}, timeout: 0}\n"
	    "  - {name: d, steps: [], timeout: 5}\n", &d) == NULL);
	CHECK_INT(d.nerrors, 4);
	diag_release(&d);
}

UNIT_SUITE(compile_tests) = {
	UNIT_TEST(table),
	UNIT_TEST(errors_gathered),
	{ NULL, NULL },
};
