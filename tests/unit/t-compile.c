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

/* Compiles a one-step sequence with KEY: VALUE (FIELD: VALUE inside a
 * mapping when field is set); the error text, or NULL (caller frees). */
static char *
compile_key(const char *key, const char *field, long long value)
{
	struct diag	 d;
	struct sequence	*s;
	char		 text[512];
	char		*err = NULL;

	if (field != NULL)
		snprintf(text, sizeof text, "steps:\n  - type: lua\n    with: { script: "
		    "\"return 0\" }\n    %s: { %s: %lld }\n", key, field, value);
	else
		snprintf(text, sizeof text, "steps:\n  - type: lua\n    with: { script: "
		    "\"return 0\" }\n    %s: %lld\n", key, value);
	diag_init(&d);
	s = compile_text(text, &d);
	if (s == NULL)
		err = diag_text(&d);
	sequence_free(s);
	diag_release(&d);
	return err;
}

/* The node keys' bounds are the table's: the compiler takes min and max
 * and refuses one past each, saying the table's numbers. */
static void
test_node_key_bounds(void)
{
	const struct node_key	*k, *f;
	char			 want[128], *err;
	int			 n = 0;

	for (k = node_keys; k->name != NULL; k++) {
		for (f = k->kind == NK_MAP ? k->fields : k; f != NULL && f->name != NULL;
		    f = k->kind == NK_MAP ? f + 1 : NULL) {
			const char *field = k->kind == NK_MAP ? f->name : NULL;

			if (f->kind != NK_INT)
				continue;
			n++;
			snprintf(want, sizeof want, "'%s' takes a whole number from %lld "
			    "to %lld", f->name, f->min, f->max);
			err = compile_key(k->name, field, f->min);
			CHECK_STR(err, NULL);
			free(err);
			err = compile_key(k->name, field, f->max);
			CHECK_STR(err, NULL);
			free(err);
			err = compile_key(k->name, field, f->max + 1);
			CHECK(err != NULL && strstr(err, want) != NULL);
			free(err);
			if (f->min > 0) {
				err = compile_key(k->name, field, f->min - 1);
				CHECK(err != NULL && strstr(err, want) != NULL);
				free(err);
			}
		}
	}
	CHECK_INT(n, 5);	/* timeout, retry's two, lua_limits' two */
}

UNIT_SUITE(compile_tests) = {
	UNIT_TEST(table),
	UNIT_TEST(node_key_bounds),
	UNIT_TEST(errors_gathered),
	{ NULL, NULL },
};
