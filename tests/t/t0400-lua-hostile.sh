#!/bin/sh
# Hostile Lua: every attack fails its own step with a clear message, within
# its limits; the interpreter, the journal and continue_on_error go on.
. "$TSI_TOP/tests/lib/test-lib.sh"

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

test_done
