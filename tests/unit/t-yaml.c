/* t-yaml.c - the YAML loader: positions, limits, refusals */
#include <stdlib.h>
#include <string.h>

#include "../../lib/node.h"
#include "unit.h"

/* Loads text; returns the first error message (static copy) or NULL. */
static const char *
load_error(const char *text, int *line, int *col)
{
	static char	 msg[512];
	struct diag	 d;
	struct node	*n;

	diag_init(&d);
	n = yaml_load_string("t.yaml", text, strlen(text), &yaml_sequence_limits, &d);
	node_free(n);
	if (d.n == 0) {
		diag_release(&d);
		return NULL;
	}
	snprintf(msg, sizeof msg, "%s", d.items[0].msg);
	*line = d.items[0].loc.line;
	*col = d.items[0].loc.col;
	diag_release(&d);
	return msg;
}

static void
test_positions(void)
{
	struct diag	 d;
	const char	*text = "a: 1\nlist:\n  - x\n  - {k: v}\n";
	struct node	*n, *list;

	diag_init(&d);
	n = yaml_load_string("t.yaml", text, strlen(text), &yaml_sequence_limits, &d);
	CHECK(n != NULL);
	list = node_get(n, "list");
	CHECK(list != NULL && list->kind == NODE_LIST && list->n == 2);
	CHECK_INT(list->kids[0]->loc.line, 3);
	CHECK_INT(list->kids[0]->loc.col, 5);
	CHECK_STR(node_get(list->kids[1], "k")->str, "v");
	CHECK_INT(node_get(list->kids[1], "k")->loc.col, 9);
	node_free(n);
	diag_release(&d);
}

static void
test_refusals(void)
{
	const char	*m;
	int		 line = 0, col = 0;

	m = load_error("a: 1\nb: 2\na: 3\n", &line, &col);
	CHECK(m != NULL && strstr(m, "duplicate key 'a' (first defined at line 1)"));
	CHECK_INT(line, 3);
	m = load_error("a: &x [1]\nb: *x\n", &line, &col);
	CHECK(m != NULL && strstr(m, "anchors"));
	m = load_error("b: *x\n", &line, &col);
	CHECK(m != NULL && strstr(m, "aliases") != NULL);
	m = load_error("a: !!str 1\n", &line, &col);
	CHECK(m != NULL && strstr(m, "tags"));
	m = load_error("", &line, &col);
	CHECK(m != NULL && strstr(m, "file is empty"));
	m = load_error("a: 1\n---\nb: 2\n", &line, &col);
	CHECK(m != NULL && strstr(m, "more than one YAML document"));
	m = load_error("a: [1, 2\n", &line, &col);
	CHECK(m != NULL && strncmp(m, "invalid YAML", 12) == 0);
	m = load_error("? [a]\n: 1\n", &line, &col);
	CHECK(m != NULL && strstr(m, "mapping keys must be scalars"));
	m = load_error("\xff\xfe garbage\n", &line, &col);
	CHECK(m != NULL && strncmp(m, "invalid YAML", 12) == 0);
}

static void
test_depth_limit(void)
{
	size_t	 depth = 100000, i;
	char	*text = malloc(2 * depth + 1);
	const char *m;
	int	 line, col;

	for (i = 0; i < depth; i++) {
		text[i] = '[';
		text[depth + i] = ']';
	}
	text[2 * depth] = '\0';
	m = load_error(text, &line, &col);
	CHECK(m != NULL && strstr(m, "nesting is deeper than 64 levels"));
	free(text);
}

static void
test_size_limit(void)
{
	struct diag	 d;
	size_t		 len = yaml_sequence_limits.max_bytes + 1;
	char		*text = malloc(len + 1);

	memset(text, '#', len);
	text[len] = '\0';
	diag_init(&d);
	CHECK(yaml_load_string("big.yaml", text, len, &yaml_sequence_limits, &d) == NULL);
	CHECK(d.n == 1 && strstr(d.items[0].msg, "file is too large"));
	diag_release(&d);
	free(text);
}

UNIT_SUITE(yaml_tests) = {
	UNIT_TEST(positions),
	UNIT_TEST(refusals),
	UNIT_TEST(depth_limit),
	UNIT_TEST(size_limit),
	{ NULL, NULL },
};
