/*
 * fuzz-xml.c - libFuzzer target for the XML reader (lib/xml.c) that
 * `tsi import` reads ConfigMgr and MDT task sequences with.
 *
 * Each input is given to xml_read_mem() under xml_ts_limits.  A tree that
 * comes back is walked and checked against the limits and its own links
 * (parents, counts, NUL-terminated strings, positions); a refusal must be
 * exactly one error.  The diagnostics are printed (to /dev/null) so that
 * the quoting of long and binary lines runs too, and libxml2's global
 * error handlers must be what they were before.  Everything is freed every
 * iteration, sources_free() included.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/globals.h>

#include "../../lib/diag.h"
#include "../../lib/xml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE			*devnull;
static xmlStructuredErrorFunc	 serror0;
static xmlGenericErrorFunc	 generic0;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((devnull = fopen("/dev/null", "w")) == NULL) {
		perror("fuzz: /dev/null");
		abort();
	}
	serror0 = xmlStructuredError;
	generic0 = xmlGenericError;
	return 0;
}

/* Checks e and everything under it; returns the number of elements. */
static size_t
walk(const struct xml_elem *e, int depth)
{
	const struct xml_limits	*lim = &xml_ts_limits;
	size_t			 n = 1, i;

	if (depth > lim->max_depth || e->name == NULL || e->name[0] == '\0' ||
	    e->text == NULL || strlen(e->text) > lim->max_text ||
	    e->nattrs > lim->max_attrs || e->loc.line < 1 || e->loc.col < 1 ||
	    e->loc.file == NULL)
		abort();
	for (i = 0; i < e->nattrs; i++) {
		if (e->attrs[i].name == NULL || e->attrs[i].value == NULL ||
		    strlen(e->attrs[i].value) > lim->max_text)
			abort();
		/* the first attribute of a name is the one found */
		if (xml_attr(e, e->attrs[i].name) == NULL)
			abort();
	}
	for (i = 0; i < e->n; i++) {
		if (e->kids[i]->parent != e || xml_child(e, e->kids[i]->name) == NULL)
			abort();
		n += walk(e->kids[i], depth + 1);
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag	 d;
	struct xml_elem	*root;

	diag_init(&d);
	root = xml_read_mem("fuzz.xml", (const char *)data, size, &xml_ts_limits, &d);
	if (root != NULL) {
		if (d.nerrors != 0 || root->parent != NULL ||
		    walk(root, 1) > xml_ts_limits.max_elements)
			abort();
	} else if (d.n != 1 || d.nerrors != 1 || d.items[0].msg[0] == '\0' ||
	    strchr(d.items[0].msg, '\n') != NULL)
		abort();
	if (xmlStructuredError != serror0 || xmlGenericError != generic0)
		abort();
	diag_print(&d, devnull, DIAG_TEXT);
	xml_free(root);
	diag_release(&d);
	sources_free();
	return 0;
}
