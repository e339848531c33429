/* t-util.c - numbers, suggestions, bounded buffers, paths */
#include <stdlib.h>

#include "../../lib/util.h"
#include "unit.h"

static void
test_numbers(void)
{
	double		d;
	long long	x;

	CHECK_INT(str_to_num("10", &d), 0);
	CHECK_INT(str_to_num("-2.5", &d), 0);
	CHECK_INT(str_to_num("1e3", &d), -1);	/* exponents stay text */
	CHECK_INT(str_to_num("0x10", &d), -1);
	CHECK_INT(str_to_num("nan", &d), -1);
	CHECK_INT(str_to_num("", &d), -1);
	CHECK_INT(str_to_ll("42", &x), 0);
	CHECK_INT(x, 42);
	CHECK_INT(str_to_ll("42 ", &x), -1);
	CHECK_INT(str_to_ll("99999999999999999999", &x), -1);
}

static void
test_suggest(void)
{
	const char *names[] = { "run_command", "set_variable", "restart" };

	CHECK_STR(str_suggest("run_comand", names, 3), "run_command");
	CHECK_STR(str_suggest("Restart", names, 3), "restart");
	CHECK(str_suggest("capture_user_state", names, 3) == NULL);
}

static void
test_buf_cap(void)
{
	struct buf	b;

	buf_init(&b, 8);
	CHECK_INT(buf_adds(&b, "12345678"), 0);
	CHECK_INT(buf_addch(&b, '9'), -1);
	CHECK_INT(b.len, 8);
	CHECK_STR(b.data, "12345678");
	buf_release(&b);
}

static void
test_paths(void)
{
	char	*p;

	p = path_join("/a/b", "c.yaml");
	CHECK_STR(p, "/a/b/c.yaml");
	free(p);
	p = path_join("/a/b", "/etc/x");
	CHECK_STR(p, "/etc/x");
	free(p);
	p = path_dirname("x.yaml");
	CHECK_STR(p, ".");
	free(p);
	p = path_dirname("/x.yaml");
	CHECK_STR(p, "/");
	free(p);
}

/* One reading of a boolean for the whole product. */
static void
test_booleans(void)
{
	static const char *const yes[] = { "true", "TRUE", "True", "yes", "YES", "1" };
	static const char *const no[] = { "false", "FALSE", "no", "No", "0" };
	static const char *const bad[] = { "", "maybe", "2", "on", "off", "y", "t",
	    "true ", " 1", "01", "-1", "truex" };
	size_t	i;
	int	b;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		b = 7;
		CHECK(parse_bool(yes[i], &b) == 0 && b == 1);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		b = 7;
		CHECK(parse_bool(no[i], &b) == 0 && b == 0);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = 7;
		CHECK(parse_bool(bad[i], &b) == -1 && b == 7);
	}
}

UNIT_SUITE(util_tests) = {
	UNIT_TEST(booleans),
	UNIT_TEST(numbers),
	UNIT_TEST(suggest),
	UNIT_TEST(buf_cap),
	UNIT_TEST(paths),
	{ NULL, NULL },
};
