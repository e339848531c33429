/* main.c - runs every unit test table; see unit.h */
#include <stdio.h>

#include "../../lib/diag.h"
#include "unit.h"

int unit_failures;
const char *unit_skipped;

extern const struct unit_test vars_tests[], cond_tests[], yaml_tests[],
    json_tests[], util_tests[], compile_tests[], rules_tests[],
    store_tests[], usmt_tests[];
extern const struct unit_test fastcrypto_tests[], crafted_tests[], xml_tests[];
extern const struct unit_test events_tests[];

static const struct {
	const char		*file;
	const struct unit_test	*tests;
} suites[] = {
	{ "vars", vars_tests },
	{ "cond", cond_tests },
	{ "yaml", yaml_tests },
	{ "xml", xml_tests },
	{ "json", json_tests },
	{ "util", util_tests },
	{ "compile", compile_tests },
	{ "rules", rules_tests },
	{ "store", store_tests },
	{ "usmt", usmt_tests },
	{ "fastcrypto", fastcrypto_tests },
	{ "crafted", crafted_tests },
	{ "events", events_tests },
};

int
main(void)
{
	size_t	i, j;
	int	failed = 0;

	for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		for (j = 0; suites[i].tests[j].name != NULL; j++) {
			int before = unit_failures;

			fflush(stdout);
			unit_skipped = NULL;
			suites[i].tests[j].fn();
			fflush(stderr);
			if (unit_failures == before && unit_skipped != NULL)
				printf("skip - unit: %s: %s (%s)\n", suites[i].file,
				    suites[i].tests[j].name, unit_skipped);
			else if (unit_failures == before)
				printf("ok - unit: %s: %s\n", suites[i].file,
				    suites[i].tests[j].name);
			else {
				printf("not ok - unit: %s: %s\n", suites[i].file,
				    suites[i].tests[j].name);
				failed++;
			}
		}
	}
	sources_free();
	return failed ? 1 : 0;
}
