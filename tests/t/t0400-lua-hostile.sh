#!/bin/sh
# Hostile Lua: every attack fails its own step with a clear message, within
# its limits; the interpreter, the journal and continue_on_error go on.
. "$TSI_TOP/tests/lib/test-lib.sh"

# a limit that does not hold fails its test instead of hanging the suite
TSI_WRAP="timeout -s KILL ${TSI_T0400_KILL:-120} $TSI_WRAP"

# hostile NAME 'LUA CHUNK' 'EXPECTED MESSAGE' [lua_limits [timeout]]
hostile() {
	limits=${4:-"{ memory_mb: 16, instructions: 10000000 }"}
	timeout=${5:-20}
	cat > seq.yaml <<YAML
name: Hostile
steps:
  - name: Attack
    type: lua
    continue_on_error: true
    lua_limits: $limits
    timeout: $timeout
    with:
      script: |
$(printf '%s\n' "$2" | sed 's/^/        /')
  - { name: Reboot, type: restart }
  - { name: Still here, type: run_command, with: { command: "echo still alive" } }
YAML
	start=$(date +%s)
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true > out &&
	contains out "$3" &&
	contains out "[1/3] Attack: failed" &&
	contains out "going on (continue_on_error)" &&
	contains st/journal.jsonl '"state":"restart"' &&
	tsi_rc 0 resume --state-dir st > out2 &&
	contains out2 "  | still alive" &&
	test $(( $(date +%s) - start )) -lt 15
}

test_expect 'an infinite loop hits the instruction limit' '
	hostile loop "while true do end" "stopped: it went past its instruction limit (10000000 instructions)"
'

test_expect 'a loop inside pcall cannot swallow the stop' '
	hostile pcall "while true do pcall(function() while true do end end) end" \
	    "stopped: it went past its instruction limit"
'

test_expect 'the wall-clock limit stops a step that keeps running' '
	hostile slow "local x = 0 while true do x = x + 1 end" \
	    "stopped: it went past its time limit" "{ instructions: 1000000000000 }" 1
'

test_expect 'a string.rep memory bomb hits the memory limit' '
	hostile rep "local s = string.rep(\"x\", 1 << 30) return #s" \
	    "string.rep: 1073741824 bytes would pass the memory limit"
'

test_expect 'table growth hits the memory limit' '
	hostile grow "local t = {} while true do t[#t + 1] = {} end" \
	    "stopped: it went past its memory limit (16 MiB)"
'

test_expect 'deep recursion is a stack overflow, not a crash' '
	hostile recurse "local function f(n) return 1 + f(n + 1) end return f(1)" \
	    "stack overflow" "{ memory_mb: 512 }"
'

test_expect 'io, os, debug, package and require do not exist' '
	for lib in io os debug package require dofile loadfile collectgarbage; do
		hostile "$lib" "return $lib" "undefined global '"'"'$lib'"'"'" || exit 1
		rm -rf st logs
	done
'

test_expect 'binary chunks cannot be loaded, and string.dump is gone' '
	hostile binary "local f, err = load(\"\\27Lua\\84\\0\") assert(f, err)" \
	    "attempt to load a binary chunk (mode is '"'"'t'"'"')" &&
	rm -rf st logs &&
	hostile dump "return string.dump(function() end)" "attempt to call a nil value (field '"'"'dump'"'"')"
'

test_expect 'the string metatable is out of reach' '
	hostile meta "getmetatable(\"\").__index = { upper = function() return 1 end }" \
	    "attempt to index a boolean value"
'

test_expect 'one extension cannot change another extension'"'"'s libraries' '
	cat > evil.lua <<LUA &&
tsi.register_step{ name = "evil", run = function()
  string.upper = function() return "pwned" end
  return 0 end }
LUA
	cat > good.lua <<LUA &&
tsi.register_step{ name = "good", run = function()
  tsi.log("info", "upper is " .. ("ok"):upper())
  return 0 end }
LUA
	cat > seq.yaml <<YAML &&
extensions: [evil.lua, good.lua]
steps:
  - { name: Evil, type: evil }
  - { name: Good, type: good }
YAML
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "upper is OK"
'

test_expect 'an error with a non-string value is reported clearly' '
	hostile nonstring "error(setmetatable({}, { __tostring = function() while true do end end }))" \
	    "(error object is a table value)"
'

test_expect 'a plan that sets a variable fails, and the dry run goes on' '
	cat > ext.lua <<LUA &&
tsi.register_step{ name = "sneaky", run = function() return 0 end,
  plan = function() tsi.set("Changed", "yes") return "nothing" end }
LUA
	cat > seq.yaml <<YAML &&
extensions: [ext.lua]
steps:
  - { name: Sneaky, type: sneaky, continue_on_error: true }
  - { name: After, type: run_command, with: { command: "echo after" } }
YAML
	tsi_rc 0 run seq.yaml --dry-run > out &&
	contains out "a plan cannot change anything: tsi.set is not allowed in plan" &&
	contains out "would run /bin/sh -c '"'"'echo after'"'"'"
'

test_expect 'an extension whose top level loops forever fails validation in bounded time' '
	printf "while true do end\n" > spin.lua &&
	printf "extensions: [spin.lua]\nsteps: [{ type: restart }]\n" > seq.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "loading the extension failed: spin.lua: stopped: it went past its instruction limit"
'

# Library functions that loop in C charge their work: each stops at the
# instruction limit (a small one here), or at the time limit when the
# instruction limit is out of reach, and SIGTERM ends them at once.
FOREVER="{ instructions: 1000000000000 }"
BIG="math.maxinteger"
LEN_BIG="setmetatable({}, { __len = function() return $BIG end })"

test_expect 'table.move over 2^62 indices stops at its instruction limit' '
	hostile move "table.move({}, 1, $BIG // 2, 2)" \
	    "stopped: it went past its instruction limit (1000 instructions)" \
	    "{ instructions: 1000 }" 5
'

test_expect 'table.move stops at its time limit when instructions are out of reach' '
	hostile move-time "table.move({}, 1, $BIG // 2, 2)" \
	    "stopped: it went past its time limit" "$FOREVER" 1
'

test_expect 'table.insert and table.remove on a table whose __len is huge stop' '
	hostile insert "table.insert(setmetatable({}, { __len = function() return $BIG - 1 end }), 1, 1)" \
	    "stopped: it went past its time limit" "$FOREVER" 1 &&
	rm -rf st logs &&
	hostile remove "table.remove($LEN_BIG, 1)" \
	    "stopped: it went past its instruction limit (100000 instructions)" \
	    "{ instructions: 100000 }"
'

test_expect 'table.concat, table.sort and table.unpack charge each element' '
	hostile concat "table.concat(setmetatable({}, { __index = rawlen }), \"\", 1, $BIG)" \
	    "stopped: it went past its time limit" "$FOREVER" 1 &&
	rm -rf st logs &&
	hostile sort "table.sort(setmetatable({}, { __len = function() return 2^31 - 2 end,
	    __index = rawlen, __newindex = rawequal }))" \
	    "stopped: it went past its instruction limit (100000 instructions)" \
	    "{ instructions: 100000 }" &&
	rm -rf st logs &&
	hostile unpack "return select(\"#\", table.unpack({}, 1, 900000))" \
	    "stopped: it went past its instruction limit (1000 instructions)" \
	    "{ instructions: 1000 }"
'

test_expect 'a backtracking pattern in find, match, gmatch or gsub stops' '
	for call in "s:find(p)" "s:match(p)" "s:gsub(p, \"\")" \
	    "for _ in s:gmatch(p) do end"; do
		rm -rf st logs &&
		hostile pattern "local s, p = (\"a\"):rep(30000), (\"a*\"):rep(30) .. \"b\"
$call" "stopped: it went past its time limit" "$FOREVER" 1 || exit 1
	done
'

test_expect 'a plain find of a long needle in a long haystack stops' '
	hostile plain "return (\"a\"):rep(4000000):find((\"a\"):rep(2000000) .. \"b\", 1, true)" \
	    "stopped: it went past its instruction limit (10000000 instructions)"
'

test_expect 'load() of a huge chunk is charged while it compiles' '
	hostile load "local s = (\"a=1 \"):rep(30000000) return load(s) and 0" \
	    "stopped: it went past its time limit" "{ memory_mb: 1024, instructions: 1000000000000 }" 1
'

test_expect 'SIGTERM stops a Lua step inside a C function within a second' '
	cat > seq.yaml <<YAML &&
steps:
  - name: Busy
    type: lua
    timeout: 600
    lua_limits: $FOREVER
    with:
      script: |
        print("busy")
        return (("a"):rep(30000)):find(("a*"):rep(30) .. "b")
  - { name: After, type: run_command, with: { command: "echo after" } }
YAML
	tsi_bg run seq.yaml --state-dir st --log-dir logs &&
	wait_until "grep -q busy bg.out" &&
	sleep 0.3 && kill -TERM "$(cat pid)" &&
	wait_until "! alive $(cat pid)" 1 &&
	contains bg.out "stopped by a signal (in step '"'"'Busy'"'"'" &&
	contains bg.out "the journal is kept: \`tsi resume\` runs it again" &&
	lacks bg.out "after" &&
	contains st/journal.jsonl "\"state\":\"running\""
'

test_expect 'a {lua: ...} condition that loops in C is false with the reason, and the run goes on' '
	cat > seq.yaml <<YAML &&
steps:
  - name: Guarded
    type: run_command
    condition: { lua: "table.remove($LEN_BIG, 1) == nil" }
    with: { command: "echo guarded" }
  - { name: After, type: run_command, with: { command: "echo after" } }
YAML
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "condition: stopped: it went past its instruction limit (1000000 instructions)" &&
	lacks out "  | guarded" &&
	contains out "  | after"
'

test_expect 'an extension that loops in C while loading fails steps, validate and run in bounded time' '
	printf "table.move({}, 1, math.maxinteger // 2, 2)\n" > spin.lua &&
	printf "extensions: [spin.lua]\nsteps: [{ type: restart }]\n" > seq.yaml &&
	# the instruction limit, or under valgrind the 5 s one: bounded either way
	msg="spin.lua: error: loading the extension failed: spin.lua: stopped: it went past its" &&
	tsi_rc 1 validate seq.yaml 2> err && contains err "$msg" &&
	TSI_EXTENSION_DIRS=$PWD tsi_rc 2 steps > out 2> err && contains err "$msg" &&
	tsi_rc 2 run seq.yaml --state-dir st --log-dir logs > out 2>&1 && contains out "$msg"
'

test_done
