/*
 * fuzz-import.c - libFuzzer target for tsi import.
 *
 * Each input is written to ts.xml and given to ts_import() with the
 * built-in step table: the XML read under its limits, the task sequence
 * found and converted (conditions, step types, the escaped SequenceData of
 * an SmsTaskSequencePackage), the YAML written, compiled and checked as
 * `tsi validate` does, steps refused made unported, the report sorted.
 * Whatever the input: no crash, no leak, and a sequence returned is one
 * that validates with no error (ts_import itself checks it; a failure of
 * that check on a returned text aborts here).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../import/import.h"
#include "../../steps/steps.h"
#include "fuzz-input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_input_init("ts.xml");
	setenv("TSI_EXTENSION_DIRS", "", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts	 opts = { TS_AUTO, (size & 1) != 0 };
	struct import_report	 rep;
	struct diag		 d;
	struct buf		 b = BUF_INIT;
	struct json		 j;
	char			*yaml;

	fuzz_input_write(data, size);
	diag_init(&d);
	yaml = ts_import(fuzz_path, &opts, &builtin_steps, &rep, &d);
	if (yaml != NULL && d.nerrors > 0)
		abort();	/* a sequence returned with errors */
	json_init(&j, &b, 0);
	json_obj_begin(&j, NULL);
	import_report_json(&rep, &j);
	json_obj_end(&j);
	buf_release(&b);
	free(yaml);
	import_report_release(&rep);
	diag_release(&d);
	sources_free();
	return 0;
}
