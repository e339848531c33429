#!/bin/sh
# Regressions from the review of the Lua host, the journal and proc.c:
# every case used to crash tsi, leak, or run past a limit.
. "$TSI_TOP/tests/lib/test-lib.sh"

# lua_step NAME 'CHUNK' [extra step keys]: a one-step sequence, then After.
lua_step() {
	cat > seq.yaml <<YAML
steps:
  - name: $1
    type: lua
    continue_on_error: true
    ${3:-}
    with:
      capabilities: [exec, fs]
      script: |
$(printf '%s\n' "$2" | sed 's/^/        /')
  - { name: After, type: run_command, with: { command: "echo after" } }
YAML
}

test_expect 'tsi.exec converts numbers in argv and keeps them alive' '
	lua_step Numbers "local a = { \"/bin/echo\" }
for i = 1, 3000 do a[#a + 1] = i * 1000003 end
local r = tsi.exec(a)
tsi.log(\"info\", \"first \" .. r.stdout:sub(1, 16))" &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "first 1000003 2000006"
'

test_expect 'an argv table with a lying __len is refused, not overflowed' '
	lua_step Len "tsi.exec(setmetatable({}, { __len = function() return -1 end }))" &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "tsi.exec: argv holds 1 to 4096 strings" &&
	contains out "  | after"
'

test_expect 'an error table with a hostile __index cannot crash tsi' '
	lua_step Index "error(setmetatable({}, { __index = function() error(\"boom\") end }))" &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "(error object is a table value)" &&
	contains out "  | after"
'

test_expect 'finalizers are refused, so nothing runs where no limit reaches' '
	lua_step Gc "setmetatable({}, { __gc = function() while true do end end })" &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "finalizers (__gc) are not allowed" &&
	contains out "  | after"
'

test_expect 'string.rep of nothing a huge number of times returns at once' '
	lua_step Rep "local s = string.rep(\"\", 1 << 62) tsi.log(\"info\", \"len \" .. #s)" &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "len 0"
'

test_expect 'tsi.exec stops at the Lua step deadline, and the step times out' '
	lua_step Sleepy "tsi.exec({ \"sleep\", \"30\" })" "timeout: 1" &&
	start=$(date +%s) &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	test $(( $(date +%s) - start )) -lt 10 &&
	contains out "stopped: it went past its time limit" &&
	grep step_end logs/events.jsonl | grep "Sleepy" | grep -q "\"timed_out\":true"
'

test_expect 'exit codes: tsi.fail never succeeds, odd returns fail' '
	cat > seq.yaml <<YAML &&
steps:
  - { name: Fail3010, type: lua, continue_on_error: true, with: { script: "tsi.fail(\"disk broken\", 3010)" } }
  - { name: Huge, type: lua, continue_on_error: true, with: { script: "return 1 << 32" } }
  - { name: Float, type: lua, continue_on_error: true, with: { script: "return 2.5" } }
  - { name: Nil, type: lua, with: { script: "return nil" } }
YAML
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "Fail3010: failed (exit code 1" &&
	contains out "Huge: failed (exit code 1" &&
	contains out "returns an exit code (an integer), true or false, not a number" &&
	contains out "Nil: succeeded (exit code 0"
'

test_expect 'a register_step caught by pcall leaves no half-built step type' '
	cat > ext.lua <<LUA &&
pcall(tsi.register_step, { name = "half", params = { x = { type = "enum" } }, run = function() end })
tsi.register_step{ name = "whole", run = function() return 0 end }
LUA
	printf "extensions: [ext.lua]\nsteps:\n  - { type: half, with: { x: foo } }\n" > seq.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "unknown step type '"'"'half'"'"'"
'

test_expect 'capabilities and plans with hostile metatables are errors, not crashes' '
	printf "capabilities = setmetatable({}, { __len = function() error(\"boom\") end })\ntsi.register_step{ name = \"x\", run = function() end,\n  plan = function() return setmetatable({ \"one\" }, { __len = function() error(\"boom\") end }) end }\n" > ext.lua &&
	printf "extensions: [ext.lua]\nsteps: [{ name: X, type: x }]\n" > seq.yaml &&
	tsi_rc 0 validate seq.yaml 2> err &&
	tsi_rc 0 run seq.yaml --dry-run > out &&
	contains out "would one"
'

test_expect 'a chatty command cannot keep tsi past its timeout' '
	printf "steps:\n  - { name: Chatty, type: run_command, timeout: 2, with: { command: \"yes\" } }\n" > seq.yaml &&
	start=$(date +%s) &&
	tsi_rc 1 run seq.yaml --state-dir st --log-dir logs > /dev/null &&
	test $(( $(date +%s) - start )) -lt 8 &&
	test "$(wc -c < logs/tsi.log)" -lt 60000000
'

test_expect 'a state dir that others can read is refused, and not chmodded' '
	mkdir open && chmod 755 open &&
	printf "steps: [{ type: restart }]\n" > seq.yaml &&
	tsi_rc 2 run seq.yaml --state-dir open --log-dir logs 2> err &&
	contains err "must be a directory of yours that nobody else can read" &&
	test "$(stat -c %a open)" = 755
'

test_expect 'a torn journal line is cut off before the next append' '
	cat > seq.yaml <<YAML &&
steps:
  - { name: Reboot, type: restart }
  - name: Once
    type: run_command
    rerun_on_resume: false
    with: { command: "echo ran >> ran.log; echo \$\$ > child.pid; exec sleep 60" }
YAML
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	printf "{\"version\":2,\"state\":\"runn" >> st/journal.jsonl &&
	tsi_bg resume --state-dir st &&
	wait_for child.pid && sleep 0.3 &&
	kill -9 "$(cat pid)" "$(cat child.pid)" && sleep 0.2 &&
	tsi_rc 1 resume --state-dir st > out &&
	contains out "must not be run again" &&
	test "$(cat ran.log)" = ran
'

test_expect ROOT 'as root, writable extensions, Lua files and vars files are refused' '
	printf "capabilities = { \"exec\" }\ntsi.register_step{ name = \"x\", run = function() end }\n" > ext.lua &&
	chmod 666 ext.lua &&
	printf "extensions: [ext.lua]\nsteps: [{ type: x }]\n" > seq.yaml &&
	tsi_rc 1 validate seq.yaml 2> err &&
	contains err "refusing extension" &&
	printf "A: 1\n" > vars.yaml && chmod 666 vars.yaml &&
	printf "steps: [{ type: restart }]\n" > s2.yaml &&
	tsi_rc 2 run s2.yaml --vars-file vars.yaml --state-dir st --log-dir logs 2> err2 &&
	contains err2 "refusing '"'"'vars.yaml'"'"'"
'

test_done
