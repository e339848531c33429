/*
 * lua-table.c - the table library's functions that loop in C (insert,
 * remove, move, concat, unpack, sort), charged per element: `table.move({},
 * 1, math.maxinteger // 2, 2)` or an insert into a table whose __len says
 * 2^63 would otherwise run for ever where no hook looks.
 *
 * The code follows Lua 5.4's ltablib.c (MIT licence, Copyright (C)
 * 1994-2022 Lua.org, PUC-Rio) with the same semantics and error messages;
 * what is added is the lhost_charge() call in every loop.
 */
#include "lua-int.h"

#include <limits.h>
#include <time.h>

#include <lualib.h>

#define TAB_R	1		/* read */
#define TAB_W	2		/* write */
#define TAB_L	4		/* length */
#define TAB_RW	(TAB_R | TAB_W)

static int
has_field(lua_State *L, const char *key, int n)
{
	lua_pushstring(L, key);
	return lua_rawget(L, -n) != LUA_TNIL;
}

/* arg is a table, or has the metamethods that let it behave like one. */
static void
check_table(lua_State *L, int arg, int what)
{
	int	n = 1;

	if (lua_type(L, arg) == LUA_TTABLE)
		return;
	if (lua_getmetatable(L, arg) &&
	    (!(what & TAB_R) || has_field(L, "__index", ++n)) &&
	    (!(what & TAB_W) || has_field(L, "__newindex", ++n)) &&
	    (!(what & TAB_L) || has_field(L, "__len", ++n)))
		lua_pop(L, n);
	else
		luaL_checktype(L, arg, LUA_TTABLE);
}

static lua_Integer
length_of(lua_State *L, int arg, int what)
{
	check_table(L, arg, what | TAB_L);
	return luaL_len(L, arg);
}

static int
charged_insert(lua_State *L)
{
	lua_Integer	e = luaL_intop(+, length_of(L, 1, TAB_RW), 1), pos, i;

	switch (lua_gettop(L)) {
	case 2:
		pos = e;
		break;
	case 3:
		pos = luaL_checkinteger(L, 2);
		luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2,
		    "position out of bounds");
		for (i = e; i > pos; i--) {
			lhost_charge(L, 1);
			lua_geti(L, 1, i - 1);
			lua_seti(L, 1, i);
		}
		break;
	default:
		return luaL_error(L, "wrong number of arguments to 'insert'");
	}
	lua_seti(L, 1, pos);
	return 0;
}

static int
charged_remove(lua_State *L)
{
	lua_Integer	size = length_of(L, 1, TAB_RW);
	lua_Integer	pos = luaL_optinteger(L, 2, size);

	if (pos != size)
		luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1,
		    "position out of bounds");
	lua_geti(L, 1, pos);
	for (; pos < size; pos++) {
		lhost_charge(L, 1);
		lua_geti(L, 1, pos + 1);
		lua_seti(L, 1, pos);
	}
	lua_pushnil(L);
	lua_seti(L, 1, pos);
	return 1;
}

static int
charged_move(lua_State *L)
{
	lua_Integer	f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
	lua_Integer	t = luaL_checkinteger(L, 4), n, i;
	int		tt = !lua_isnoneornil(L, 5) ? 5 : 1;

	check_table(L, 1, TAB_R);
	check_table(L, tt, TAB_W);
	if (e >= f) {
		luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3,
		    "too many elements to move");
		n = e - f + 1;
		luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4,
		    "destination wrap around");
		/* upwards unless the ranges overlap the wrong way */
		if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ)))
			for (i = 0; i < n; i++) {
				lhost_charge(L, 1);
				lua_geti(L, 1, f + i);
				lua_seti(L, tt, t + i);
			}
		else
			for (i = n - 1; i >= 0; i--) {
				lhost_charge(L, 1);
				lua_geti(L, 1, f + i);
				lua_seti(L, tt, t + i);
			}
	}
	lua_pushvalue(L, tt);
	return 1;
}

static void
add_field(lua_State *L, luaL_Buffer *b, lua_Integer i)
{
	lhost_charge(L, 1);
	lua_geti(L, 1, i);
	if (!lua_isstring(L, -1))
		luaL_error(L, "invalid value (%s) at index %I in table for 'concat'",
		    luaL_typename(L, -1), (LUAI_UACINT)i);
	luaL_addvalue(b);
}

static int
charged_concat(lua_State *L)
{
	luaL_Buffer	 b;
	lua_Integer	 last = length_of(L, 1, TAB_R), i;
	size_t		 lsep;
	const char	*sep = luaL_optlstring(L, 2, "", &lsep);

	i = luaL_optinteger(L, 3, 1);
	last = luaL_optinteger(L, 4, last);
	luaL_buffinit(L, &b);
	for (; i < last; i++) {
		add_field(L, &b, i);
		luaL_addlstring(&b, sep, lsep);
	}
	if (i == last)
		add_field(L, &b, i);
	luaL_pushresult(&b);
	return 1;
}

static int
charged_unpack(lua_State *L)
{
	lua_Integer	i = luaL_optinteger(L, 2, 1);
	lua_Integer	e = luaL_opt(L, luaL_checkinteger, 3, luaL_len(L, 1));
	lua_Unsigned	n;

	if (i > e)
		return 0;
	n = (lua_Unsigned)e - (lua_Unsigned)i;	/* one less than the count */
	if (n >= (unsigned int)INT_MAX || !lua_checkstack(L, (int)(++n)))
		return luaL_error(L, "too many results to unpack");
	lhost_charge(L, (long long)n);
	for (; i < e; i++)
		lua_geti(L, 1, i);
	lua_geti(L, 1, e);
	return (int)n;
}

/*
 * Quicksort, as ltablib.c's (after Sedgewick's "Algorithms in Modula-3"),
 * each comparison charged.
 */
typedef unsigned int IdxT;

#define RANLIMIT	100u	/* longer ranges may take random pivots */

static unsigned int
random_pivot(void)
{
	return (unsigned int)clock() + (unsigned int)time(NULL);
}

static void
set2(lua_State *L, IdxT i, IdxT j)
{
	lua_seti(L, 1, i);
	lua_seti(L, 1, j);
}

/* Whether the value at a sorts before the one at b. */
static int
sort_less(lua_State *L, int a, int b)
{
	int	res;

	lhost_charge(L, 1);
	if (lua_isnil(L, 2))
		return lua_compare(L, a, b, LUA_OPLT);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, a - 1);
	lua_pushvalue(L, b - 2);
	lua_call(L, 2, 1);
	res = lua_toboolean(L, -1);
	lua_pop(L, 1);
	return res;
}

/* The pivot P is on top; a[lo] <= P == a[up-1] <= a[up]. */
static IdxT
partition(lua_State *L, IdxT lo, IdxT up)
{
	IdxT	i = lo, j = up - 1;

	for (;;) {
		while ((void)lua_geti(L, 1, ++i), sort_less(L, -1, -2)) {
			if (i == up - 1)
				luaL_error(L, "invalid order function for sorting");
			lua_pop(L, 1);
		}
		while ((void)lua_geti(L, 1, --j), sort_less(L, -3, -1)) {
			if (j < i)
				luaL_error(L, "invalid order function for sorting");
			lua_pop(L, 1);
		}
		if (j < i) {
			lua_pop(L, 1);
			set2(L, up - 1, i);
			return i;
		}
		set2(L, i, j);
	}
}

static IdxT
choose_pivot(IdxT lo, IdxT up, unsigned int rnd)
{
	IdxT	r4 = (up - lo) / 4;

	return rnd % (r4 * 2) + (lo + r4);
}

static void
sort_range(lua_State *L, IdxT lo, IdxT up, unsigned int rnd)
{
	IdxT	p, n;

	while (lo < up) {
		lua_geti(L, 1, lo);
		lua_geti(L, 1, up);
		if (sort_less(L, -1, -2))
			set2(L, lo, up);
		else
			lua_pop(L, 2);
		if (up - lo == 1)
			return;
		p = up - lo < RANLIMIT || rnd == 0 ? (lo + up) / 2 :
		    choose_pivot(lo, up, rnd);
		lua_geti(L, 1, p);
		lua_geti(L, 1, lo);
		if (sort_less(L, -2, -1))
			set2(L, p, lo);
		else {
			lua_pop(L, 1);
			lua_geti(L, 1, up);
			if (sort_less(L, -1, -2))
				set2(L, p, up);
			else
				lua_pop(L, 2);
		}
		if (up - lo == 2)
			return;
		lua_geti(L, 1, p);
		lua_pushvalue(L, -1);
		lua_geti(L, 1, up - 1);
		set2(L, p, up - 1);
		p = partition(L, lo, up);
		/* recurse into the smaller half, loop on the larger */
		if (p - lo < up - p) {
			sort_range(L, lo, p - 1, rnd);
			n = p - lo;
			lo = p + 1;
		} else {
			sort_range(L, p + 1, up, rnd);
			n = up - p;
			up = p - 1;
		}
		if ((up - lo) / 128 > n)
			rnd = random_pivot();
	}
}

static int
charged_sort(lua_State *L)
{
	lua_Integer	n = length_of(L, 1, TAB_RW);

	if (n > 1) {
		luaL_argcheck(L, n < INT_MAX, 1, "array too big");
		if (!lua_isnoneornil(L, 2))
			luaL_checktype(L, 2, LUA_TFUNCTION);
		lua_settop(L, 2);
		sort_range(L, 1, (IdxT)n, 0);
	}
	return 0;
}

void
lua_open_charged_table(lua_State *L)
{
	static const luaL_Reg funcs[] = {
		{ "insert", charged_insert },
		{ "remove", charged_remove },
		{ "move", charged_move },
		{ "concat", charged_concat },
		{ "unpack", charged_unpack },
		{ "sort", charged_sort },
		{ NULL, NULL },
	};

	lua_getglobal(L, LUA_TABLIBNAME);
	luaL_setfuncs(L, funcs, 0);
	lua_pop(L, 1);
}
