/*
 * unit.h - a tiny test harness for C unit tests of libtsi.
 *
 * A test is `static void test_NAME(void)` listed in its file's table with
 * UNIT_TEST(NAME); CHECK() records a failure and goes on; SKIP(why)
 * ends a test that cannot run here.  The runner (main.c) prints
 * "ok - unit: FILE: NAME", "not ok - ..." or "skip - ... (why)" per test.
 */
#ifndef TSI_UNIT_H
#define TSI_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_test {
	const char	*name;
	void		(*fn)(void);
};

extern int unit_failures;
extern const char *unit_skipped;	/* why the running test was skipped */

#define SKIP(why) do { unit_skipped = (why); return; } while (0)

#define UNIT_TEST(n)	{ #n, test_##n }

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "    # %s:%d: CHECK(%s) failed\n",		\
		    __FILE__, __LINE__, #cond);				\
		unit_failures++;					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {	\
		fprintf(stderr, "    # %s:%d: got '%s', want '%s'\n",	\
		    __FILE__, __LINE__, g_ ? g_ : "(null)",		\
		    w_ ? w_ : "(null)");					\
		unit_failures++;					\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		fprintf(stderr, "    # %s:%d: %s is %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, g_, w_);			\
		unit_failures++;					\
	}								\
} while (0)

#define UNIT_SUITE(name)	const struct unit_test name[]

#endif
