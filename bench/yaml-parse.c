/*
 * yaml-parse.c - the baseline of the validate benchmark: parse a YAML file
 * with libyaml's event API and nothing else (no tree, no checks).
 *
 *	cc -O2 -o bench/work/yaml-parse bench/yaml-parse.c -lyaml
 *	bench/work/yaml-parse FILE
 *
 * Exits 0 after the stream end event, 1 on a parse error, 2 on usage.
 */
#include <stdio.h>

#include <yaml.h>

int
main(int argc, char **argv)
{
	yaml_parser_t	 parser;
	yaml_event_t	 event;
	FILE		*f;
	int		 done = 0, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: yaml-parse FILE\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "yaml-parse: out of memory\n");
		return 2;
	}
	yaml_parser_set_input_file(&parser, f);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "%s:%zu:%zu: %s\n", argv[1],
			    parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "parse error");
			rc = 1;
			break;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
