/*
 * fuzz-rules.c - libFuzzer target for rule packs (migration rules).
 *
 * Each input is written to rules.yaml and given to rules_check_file()
 * (what `tsi validate` does with a rule file) and rules_load() (what a
 * capture does), then every loaded rule decides and explains a set of
 * paths, including ones built from the input's own patterns.  Nothing may
 * crash, leak or take long, whatever the patterns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/diag.h"
#include "../../migrate/migrate.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
	"Documents/a.txt", ".cache/x", "a/b/c/d/e/f/g.mp3", ".ssh/id_ed25519", "",
	"Projects/x/render/y.png", ".mozilla/firefox/p.default/cache2/x", "[", "**",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("rules.yaml");
	setenv("TSI_RULES_DIR", "rules", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 d;
	struct ruleset	 rs;
	const char	*names[] = { fuzz_path };
	size_t		 i, j, k;
	char		*why;

	fuzz_input_write(data, size);
	diag_init(&d);
	rules_check_file(fuzz_path, &d);
	diag_release(&d);
	diag_init(&d);
	if (rules_load(&rs, names, 1, &d) == 0) {
		for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
			struct rule_decision dec;

			rules_decide(&rs, paths[i], &dec);
			rules_folder_excluded(&rs, paths[i]);
			why = rules_explain(&rs, paths[i]);
			free(why);
		}
		/* each pattern against itself, without its "~/" */
		for (i = 0; i < rs.npacks; i++)
			for (j = 0; j < rs.packs[i]->ncomponents; j++)
				for (k = 0; k < rs.packs[i]->components[j].n; k++) {
					struct rule_decision dec;

					rules_decide(&rs, rs.packs[i]->components[j].rules[k].glob,
					    &dec);
				}
	}
	rules_release(&rs);
	diag_release(&d);
	sources_free();
	return 0;
}
