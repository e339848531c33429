/*
 * step-lua.c - the inline `lua` step: a Lua chunk given in the sequence
 * (script) or in a file (file), run in a fresh sandbox with the tsi API.
 * The chunk gets the ctx table as `...` and may return an exit code (or
 * true/false).  Its capabilities are declared with the step.  A dry run
 * does not execute it.  Step types registered by extension files are
 * adapted in interp/lua-ext.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/lua-host.h"
#include "../lib/trusted.h"
#include "../interp/seq.h"
#include "steps.h"

enum {
	LS_SCRIPT,
	LS_FILE,
	LS_CAPABILITIES,
};

static const struct param_spec params[] = {
	[LS_SCRIPT] = { "script", P_STRING, P_LITERAL, NULL, 0, 0, NULL,
	    "Lua source to run (no %VAR% expansion: read variables with tsi.get)." },
	[LS_FILE] = { "file", P_STRING, P_LITERAL, NULL, 0, 0, NULL,
	    "Lua file to run, relative to the sequence file." },
	[LS_CAPABILITIES] = { "capabilities", P_LIST, P_LITERAL, NULL, 0, 0, NULL,
	    "What the chunk may use beyond variables and logs: exec, fs, net." },
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL },
};

static int
parse_caps(const struct param_value *v, int *caps, struct diag *d)
{
	size_t	i;
	int	r = 0;

	*caps = 0;
	for (i = 0; i < v->nitems; i++) {
		if (strcmp(v->items[i], "exec") == 0)
			*caps |= CAP_EXEC;
		else if (strcmp(v->items[i], "fs") == 0)
			*caps |= CAP_FS;
		else if (strcmp(v->items[i], "net") == 0)
			*caps |= CAP_NET;
		else if (d != NULL)
			r = diag_error(d, &v->loc, "unknown capability '%s' "
			    "(capabilities are exec, fs and net)", v->items[i]);
	}
	return r;
}

/* The chunk's source and name; -1 when the file cannot be read (*why
 * when it was refused as root: see trusted.h). */
static int
chunk_source(const struct tnode *t, const struct param_value *script,
    const struct param_value *file, char **text, size_t *len, char **name,
    char **why)
{
	char	*path;
	int	 r;

	*why = NULL;

	if (script->set) {
		/* pad with newlines so that Lua's line numbers are the YAML
		 * file's: a block scalar (|) starts on the line after its key */
		int pad = script->loc.line - (strchr(script->str, '\n') ? 0 : 1);
		struct buf b = BUF_INIT;

		while (pad-- > 0)
			buf_addch(&b, '\n');
		buf_adds(&b, script->str);
		*len = b.len;
		*text = buf_detach(&b);
		*name = xasprintf("@%s", t->loc.file);
		return 0;
	}
	path = path_join(t->base_dir, file->str);
	r = read_trusted_file(path, 1024 * 1024, text, len, why);
	*name = xasprintf("@%s", path);
	free(path);
	return r;
}

static int
validate(const struct tnode *t, struct diag *d)
{
	const struct param_value *script = &t->args.v[LS_SCRIPT];
	const struct param_value *file = &t->args.v[LS_FILE];
	char			 *text, *name, *why;
	size_t			  len;
	int			  caps, r;

	if (script->set == file->set)
		return diag_error(d, &t->loc, "lua needs exactly one of 'script' "
		    "and 'file'");
	r = parse_caps(&t->args.v[LS_CAPABILITIES], &caps, d);
	if (chunk_source(t, script, file, &text, &len, &name, &why) == -1) {
		free(name);
		return trusted_read_error(d, &file->loc, file->str, why, 1024 * 1024);
	}
	if (lua_check_chunk(name, text, len, script->set ? &script->loc : &file->loc,
	    d) == -1)
		r = -1;
	free(text);
	free(name);
	return r;
}

static int
run(struct step_ctx *ctx, const struct step_args *a)
{
	const struct tnode	*t = step_node(ctx);
	struct lua_limits	 lim;
	char			*text, *name, *why;
	size_t			 len;
	int			 caps, rc;

	parse_caps(&a->v[LS_CAPABILITIES], &caps, NULL);
	if (chunk_source(t, &a->v[LS_SCRIPT], &a->v[LS_FILE], &text, &len,
	    &name, &why) == -1) {
		if (why != NULL)
			step_log(ctx, LOG_ERROR, "refusing '%s': %s", a->v[LS_FILE].str,
			    why);
		else
			step_log(ctx, LOG_ERROR, "cannot read '%s': %s",
			    a->v[LS_FILE].str, strerror(errno));
		free(why);
		free(name);
		return STEP_RC_ERROR;
	}
	lua_step_limits(ctx, &lim);
	rc = lua_run_chunk(ctx, name, text, len, caps, &lim, 0);
	free(text);
	free(name);
	return rc;
}

static int
plan(struct step_ctx *ctx, const struct step_args *a)
{
	int	caps;

	parse_caps(&a->v[LS_CAPABILITIES], &caps, NULL);
	step_plan(ctx, "run %s Lua (capabilities: %s)", a->v[LS_SCRIPT].set ?
	    "an inline chunk of" : a->v[LS_FILE].str, lua_caps_string(caps));
	return 0;
}

const struct step_type step_lua = {
	.name = "lua",
	.summary = "Run a Lua chunk, inline or from a file, in the sandbox.",
	.params = params,
	.flags = STEP_LUA,
	.validate = validate,
	.run = run,
	.plan = plan,
};
