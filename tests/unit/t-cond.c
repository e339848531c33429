/* t-cond.c - conditions: compile errors and evaluation */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../interp/cond.h"
#include "unit.h"

/* Compiles YAML text as a condition; NULL on errors (counted in *nerr). */
static struct cond *
compile_text(const char *text, size_t *nerr)
{
	struct diag	 d;
	struct node	*n;
	struct cond	*c = NULL;

	diag_init(&d);
	n = yaml_load_string("cond.yaml", text, strlen(text), &yaml_sequence_limits, &d);
	if (n != NULL)
		c = cond_compile(n, &d);
	*nerr = d.nerrors;
	node_free(n);
	diag_release(&d);
	return c;
}

static int
eval_text(const char *text, struct vars *vs, const char *root)
{
	struct cond_env	 env = { vs, root };
	size_t		 nerr;
	struct cond	*c = compile_text(text, &nerr);
	int		 r;

	if (c == NULL)
		return -2;	/* did not compile; -1 is "cannot be evaluated" */
	r = cond_eval(c, &env, NULL);
	cond_free(c);
	return r;
}

static void
test_variable_ops(void)
{
	struct vars	vs;

	vars_init(&vs);
	vars_set(&vs, "Mode", "Simple", 0);
	vars_set(&vs, "Count", "10", 0);
	CHECK_INT(eval_text("{variable: mode, equals: SIMPLE}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Mode, not_equals: Simple}", &vs, "/"), 0);
	CHECK_INT(eval_text("{variable: Count, greater: 9}", &vs, "/"), 1);	/* numeric, not "10" < "9" */
	CHECK_INT(eval_text("{variable: Count, less_equal: 10.0}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Mode, like: 'sim*'}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Mode, like: 'adv*'}", &vs, "/"), 0);
	CHECK_INT(eval_text("{variable: Nope, exists: false}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Nope, equals: x}", &vs, "/"), 0);
	CHECK_INT(eval_text("{variable: Nope, not_equals: x}", &vs, "/"), 1);
	/* one meaning of true: booleans compare as booleans */
	vars_set(&vs, "Flag", "yes", 0);
	CHECK_INT(eval_text("{variable: Flag, equals: 'true'}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Flag, equals: 'TRUE'}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Flag, equals: 'no'}", &vs, "/"), 0);
	CHECK_INT(eval_text("{variable: Flag, not_equals: 'false'}", &vs, "/"), 1);
	vars_set(&vs, "Flag", "0", 0);
	CHECK_INT(eval_text("{variable: Flag, equals: 'false'}", &vs, "/"), 1);
	CHECK_INT(eval_text("{variable: Flag, equals: '0.0'}", &vs, "/"), 1);	/* numbers first */
	vars_release(&vs);
}

static void
test_groups(void)
{
	struct vars	vs;

	vars_init(&vs);
	vars_set(&vs, "A", "1", 0);
	CHECK_INT(eval_text("[{variable: A, equals: 1}, {variable: B, exists: false}]",
	    &vs, "/"), 1);
	CHECK_INT(eval_text("{any: [{variable: A, equals: 2}, {variable: A, equals: 1}]}",
	    &vs, "/"), 1);
	CHECK_INT(eval_text("{none: [{variable: A, equals: 2}, {variable: A, equals: 3}]}",
	    &vs, "/"), 1);
	CHECK_INT(eval_text("{all: [{any: [{none: [{variable: A, exists: true}]}]}]}",
	    &vs, "/"), 0);
	vars_release(&vs);
}

static void
test_files_and_os(void)
{
	struct vars	 vs;
	char		 root[] = "/tmp/tsi-unit-root.XXXXXX", path[128];
	FILE		*fp;

	vars_init(&vs);
	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof path, "%s/etc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/etc/os-release", root);
	fp = fopen(path, "w");
	fputs("NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n", fp);
	fclose(fp);
	vars_set(&vs, "Dir", "etc", 0);
	CHECK_INT(eval_text("{file_exists: /etc/os-release}", &vs, root), 1);
	CHECK_INT(eval_text("{folder_exists: '/%Dir%'}", &vs, root), 1);
	CHECK_INT(eval_text("{file_exists: /etc}", &vs, root), 0);	/* a folder */
	CHECK_INT(eval_text("{os: {id: debian, version_at_least: '11'}}", &vs, root), 1);
	CHECK_INT(eval_text("{os: {id: debian, version_at_least: '12.1'}}", &vs, root), 0);
	CHECK_INT(eval_text("{os: {id: ubuntu}}", &vs, root), 0);
	unlink(path);
	snprintf(path, sizeof path, "%s/etc", root);
	rmdir(path);
	rmdir(root);
	vars_release(&vs);
}

static void
test_compile_errors(void)
{
	size_t	nerr;

	CHECK(compile_text("{variable: A}", &nerr) == NULL);
	CHECK(compile_text("{variable: A, equals: 1, less: 2}", &nerr) == NULL);
	CHECK(compile_text("{variable: A, exists: maybe}", &nerr) == NULL);
	CHECK(compile_text("{file_exists: /a, folder_exists: /b}", &nerr) == NULL);
	CHECK(compile_text("{os: {kernel: 6}}", &nerr) == NULL);
	CHECK(compile_text("just a string", &nerr) == NULL);
	CHECK(compile_text("{varible: A, equals: 1}", &nerr) == NULL);
	CHECK(compile_text("{variable: '1bad', equals: 1}", &nerr) == NULL);
}

/* An unported test cannot be evaluated (-1); all/any/none decide without
 * it when the other tests do (three-valued logic). */
static void
test_unported_three_valued(void)
{
	struct vars	vs;
	const char	*u = "{unported: {type: SMS_TaskSequence_WMIConditionExpression, "
			    "properties: {Query: SELECT 1}}}";
	char		 text[512];

	vars_init(&vs);
	vars_set(&vs, "A", "1", 0);
	CHECK_INT(eval_text(u, &vs, "/"), -1);
	snprintf(text, sizeof text, "{all: [{variable: A, equals: 2}, %s]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), 0);
	snprintf(text, sizeof text, "{all: [%s, {variable: A, equals: 1}]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), -1);
	snprintf(text, sizeof text, "{any: [%s, {variable: A, equals: 1}]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), 1);
	snprintf(text, sizeof text, "{any: [{variable: A, equals: 2}, %s]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), -1);
	snprintf(text, sizeof text, "{none: [{variable: A, equals: 1}, %s]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), 0);
	snprintf(text, sizeof text, "{none: [%s]}", u);
	CHECK_INT(eval_text(text, &vs, "/"), -1);
	CHECK_INT(eval_text("{unported: {properties: {a: b}}}", &vs, "/"), -2);
	CHECK_INT(eval_text("{unported: {type: T, note: x}}", &vs, "/"), -2);
	vars_release(&vs);
}

static void
test_modified(void)
{
	struct vars	vs;
	char		dir[] = "/tmp/t-cond-XXXXXX", path[64];
	long long	t;
	FILE		*f;

	vars_init(&vs);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/f", dir);
	CHECK((f = fopen(path, "w")) != NULL);
	fclose(f);
	CHECK_INT(parse_utc_time("2021-03-01T10:00:00Z", &t), 0);
	CHECK(t == 1614592800LL);
	CHECK_INT(parse_utc_time("2021-03-01", &t), 0);
	CHECK(t == 1614556800LL);
	CHECK_INT(parse_utc_time("2021-03-01T10:00", &t), 0);
	CHECK_INT(parse_utc_time("2021-13-01", &t), -1);
	CHECK_INT(parse_utc_time("yesterday", &t), -1);
	CHECK_INT(parse_utc_time("2021-03-01T10:00:00+02:00", &t), -1);
	CHECK_INT(eval_text("{file_modified: /f, greater: '2020-01-01'}", &vs, dir), 1);
	CHECK_INT(eval_text("{file_modified: /f, less: '2020-01-01'}", &vs, dir), 0);
	CHECK_INT(eval_text("{folder_modified: /f, greater: '2020-01-01'}", &vs, dir), 0);
	CHECK_INT(eval_text("{folder_modified: /, greater: '2020-01-01'}", &vs, dir), 1);
	CHECK_INT(eval_text("{file_modified: /none, not_equals: '2020-01-01'}", &vs, dir), 0);
	CHECK_INT(eval_text("{file_modified: /f, like: '2020*'}", &vs, dir), -2);
	CHECK_INT(eval_text("{file_modified: /f, greater: soon}", &vs, dir), -2);
	CHECK_INT(eval_text("{file_modified: /f}", &vs, dir), -2);
	unlink(path);
	rmdir(dir);
	vars_release(&vs);
}

static void
test_version_cmp(void)
{
	CHECK(version_cmp("12.10", "12.4") > 0);
	CHECK(version_cmp("12", "12.1") < 0);
	CHECK(version_cmp("12.0", "12.0") == 0);
	CHECK(version_cmp("22.04", "22.4") == 0);
	CHECK(version_cmp("bookworm", "bullseye") < 0);
}

UNIT_SUITE(cond_tests) = {
	UNIT_TEST(variable_ops),
	UNIT_TEST(groups),
	UNIT_TEST(files_and_os),
	UNIT_TEST(compile_errors),
	UNIT_TEST(version_cmp),
	UNIT_TEST(unported_three_valued),
	UNIT_TEST(modified),
	{ NULL, NULL },
};
