/*
 * fuzz-extension.c - libFuzzer target for Lua extension files: the input is
 * written to DIR/ext.lua and loaded with ext_set_load() as `extensions:`
 * would, which parses it (text mode only), runs its top level under the
 * load budgets, checks every tsi.register_step{} table and the
 * capabilities list, then describes and frees the set.
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
#include "../../interp/lua-host.h"
#include "../../steps/steps.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("ext.lua");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ext_set	 set;
	struct diag	 d;

	fuzz_input_write(data, size);
	diag_init(&d);
	ext_set_init(&set, &builtin_steps);
	ext_set_load(&set, fuzz_path, NULL, &d);
	ext_set_describe(&set, &d);
	ext_set_release(&set);
	diag_release(&d);
	sources_free();
	return 0;
}
