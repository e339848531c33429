/*
 * lua-budget.c - the instruction, time and stop budget of a Lua call, as
 * the count hook sees it and as library functions written in C charge it.
 *
 * The count hook runs between Lua instructions only: a C function that
 * loops (table.move over 2^62 indices, a pattern that backtracks) would
 * run past every limit and ignore SIGTERM.  So the library functions that
 * loop in C (lua-table.c, lua-match.c, load) charge their work here, one
 * unit per element moved, compared or matched, and the same checks run:
 * instruction limit, deadline, stop signal.
 */
#include "lua-int.h"

#include "../lib/stop.h"
#include "../lib/util.h"

/* How much charged work passes between two looks at the clock. */
#define CHECK_EVERY	1000

struct lhost *
lhost_of(lua_State *L)
{
	return *(struct lhost **)lua_getextraspace(L);
}

/* Sets h->killed when a limit is passed; whether one is. */
static int
limit_passed(struct lhost *h)
{
	if (h->instructions > h->instruction_limit)
		h->killed = "its instruction limit";
	else if (h->deadline > 0 && now_ms() > h->deadline)
		h->killed = "its time limit";
	else if (stop_signal)
		h->killed = "a stop signal";
	return h->killed != NULL;
}

/*
 * Once a limit is passed the hook fires on every instruction and raises
 * each time, so a pcall in the script cannot swallow the stop (Redis's
 * trick for SCRIPT KILL).
 */
static int
stop_call(lua_State *L, struct lhost *h)
{
	lua_sethook(L, lhost_budget_hook, LUA_MASKCOUNT, 1);
	return luaL_error(L, "stopped: %s", h->killed);
}

void
lhost_budget_hook(lua_State *L, lua_Debug *ar)
{
	struct lhost	*h = lhost_of(L);

	(void)ar;
	if (h->killed == NULL) {
		h->instructions += LHOST_HOOK_EVERY;
		if (!limit_passed(h))
			return;
	}
	stop_call(L, h);
}

void
lhost_charge(lua_State *L, long long units)
{
	struct lhost	*h = lhost_of(L);

	if (h->killed == NULL) {
		h->instructions += units;
		h->unchecked += units;
		if (h->unchecked < CHECK_EVERY)
			return;
		h->unchecked = 0;
		if (!limit_passed(h))
			return;
	}
	stop_call(L, h);
}
