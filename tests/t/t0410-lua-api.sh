#!/bin/sh
# The tsi API inside Lua steps, against real files, processes and a real
# HTTP server on loopback; and the example extensions in sequences/.
. "$TSI_TOP/tests/lib/test-lib.sh"

test_expect 'exec runs through the same code as run_command, with timeout and output' '
	cat > ext.lua <<LUA &&
capabilities = { "exec" }
tsi.register_step{ name = "runner", run = function(ctx)
  local r = tsi.exec({ "sh", "-c", "echo out; echo err >&2; exit 3" }, { env = { X = "1" } })
  tsi.log("info", "code=" .. r.code .. " stdout=" .. r.stdout:gsub("\n", ""))
  local slow = tsi.exec({ "sleep", "10" }, { timeout = 1 })
  tsi.log("info", "timed_out=" .. tostring(slow.timed_out))
  local missing, err = tsi.exec({ "/no/such/program" })
  tsi.log("info", "missing=" .. tostring(missing) .. " err=" .. err)
  return 0 end }
LUA
	printf "extensions: [ext.lua]\nsteps: [{ name: Exec, type: runner }]\n" > seq.yaml &&
	tsi_rc 0 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "tsi.exec: sh -c '"'"'echo out; echo err >&2; exit 3'"'"'" &&
	contains out "  | out" && contains out "  ! err" &&
	contains out "code=3 stdout=out" &&
	contains out "timed_out=true" &&
	contains out "missing=nil err=cannot run '"'"'/no/such/program'"'"': No such file or directory"
'

test_expect 'files: write atomically (making folders), read back, exists; relative to the sequence' '
	mkdir -p sub &&
	cat > sub/ext.lua <<LUA &&
capabilities = { "fs" }
tsi.register_step{ name = "files", run = function()
  assert(tsi.write_file("/proc/nope/data.txt", "payload") == nil)
  return 0 end }
tsi.register_step{ name = "files2", run = function()
  local ok, err = tsi.write_file("data.txt", "payload", { mode = 384 })
  assert(ok, err)
  assert(tsi.write_file("made/deep/x.txt", "x"))
  tsi.log("info", "read " .. tsi.read_file("data.txt") .. " kind " .. tsi.exists("data.txt")
    .. " dir " .. tsi.exists(".") .. " none " .. tostring(tsi.exists("nope")))
  local big, e2 = tsi.read_file("data.txt", 3)
  tsi.log("info", "capped: " .. tostring(big) .. " " .. e2)
  return 0 end }
LUA
	printf "extensions: [ext.lua]\nsteps:\n  - { name: Missing dir, type: files }\n  - { name: Files, type: files2 }\n" > sub/seq.yaml &&
	tsi_rc 0 run sub/seq.yaml --state-dir st --log-dir logs > out &&
	test "$(cat sub/data.txt)" = payload &&
	test "$(cat sub/made/deep/x.txt)" = x &&
	test "$(stat -c %a sub/data.txt)" = 600 &&
	contains out "read payload kind file dir directory none nil" &&
	contains out "capped: nil cannot read" && contains out "larger than the limit"
'

test_expect 'http talks to a real server on loopback, with a size cap' '
	mkdir www && printf "hello over http" > www/greeting.txt &&
	head -c 300000 /dev/zero > www/big.bin &&
	{ python3 -u -m http.server 0 --bind 127.0.0.1 --directory www > server.log 2>&1 & } &&
	echo $! > server.pid && started $! &&
	wait_for server.log && port=$(sed -n "s/.*port \([0-9]*\).*/\1/p" server.log | head -1) &&
	test -n "$port" &&
	cat > ext.lua <<LUA &&
capabilities = { "net" }
tsi.register_step{ name = "fetch", params = { base = { type = "string" } }, run = function(ctx, p)
  local r = assert(tsi.http{ url = p.base .. "/greeting.txt" })
  tsi.log("info", "status " .. r.status .. " body " .. r.body)
  local nf = assert(tsi.http{ url = p.base .. "/nope" })
  tsi.log("info", "missing status " .. nf.status)
  local big, err = tsi.http{ url = p.base .. "/big.bin", max_bytes = 1000 }
  tsi.log("info", "big " .. tostring(big) .. " " .. err)
  local refused, err2 = tsi.http{ url = "http://127.0.0.1:1/", timeout = 2 }
  tsi.log("info", "refused " .. tostring(refused) .. " " .. err2)
  local file, err3 = tsi.http{ url = "file:///etc/passwd" }
  tsi.log("info", "file " .. tostring(file) .. " " .. err3)
  return 0 end }
LUA
	printf "extensions: [ext.lua]\nsteps: [{ name: Fetch, type: fetch, with: { base: \"http://127.0.0.1:$port\" } }]\n" > seq.yaml &&
	{ tsi run seq.yaml --state-dir st --log-dir logs > out; echo $? > rc; } &&
	kill "$(cat server.pid)" &&
	test "$(cat rc)" = 0 &&
	contains out "status 200 body hello over http" &&
	contains out "missing status 404" &&
	contains out "big nil the response is larger than 1000 bytes" &&
	contains out "refused nil" &&
	contains out "file nil"
'

test_expect 'capabilities are reported by validate and enforced at run time' '
	cat > ext.lua <<LUA &&
capabilities = { "fs" }
tsi.register_step{ name = "netless", run = function() return tsi.http{ url = "http://127.0.0.1:1/" } end }
LUA
	printf "extensions: [ext.lua]\nsteps: [{ name: N, type: netless }]\n" > seq.yaml &&
	tsi_rc 0 validate seq.yaml 2> err &&
	contains err "ext.lua: note: extension registers netless; capabilities: fs" &&
	tsi_rc 1 run seq.yaml --state-dir st --log-dir logs > out &&
	contains out "tsi.http needs the '"'"'net'"'"' capability: declare capabilities = { \"net\" } in ext.lua"
'

test_expect 'tsi.restart and tsi.progress from a Lua step' '
	cat > ext.lua <<LUA &&
tsi.register_step{ name = "longjob", run = function()
  for i = 1, 4 do tsi.progress(i / 4, "part " .. i) end
  tsi.restart()
  return 0 end }
LUA
	printf "extensions: [ext.lua]\nsteps:\n  - { name: Long, type: longjob }\n  - { name: After, type: run_command, with: { command: \"echo after\" } }\n" > seq.yaml &&
	tsi_rc 3 run seq.yaml --state-dir st --log-dir logs --reboot-command true &&
	grep "\"event\":\"progress\"" logs/events.jsonl | grep -q "\"percent\":100" &&
	tsi_rc 0 resume --state-dir st > out &&
	contains out "  | after"
'

test_expect 'the example extensions: free space, notify, dconf default under --root' '
	mkdir -p sysroot/etc &&
	cat > seq.yaml <<YAML &&
extensions: [$TSI_TOP/sequences/extensions]
steps:
  - { name: Room, type: check_free_space, with: { path: /, min_mb: 1, output_variable: FreeMB } }
  - { name: Too much, type: check_free_space, continue_on_error: true, with: { path: /, min_mb: 999999999 } }
  - { name: Tell, type: notify_users, with: { message: "tests are running" } }
  - name: Clock
    type: dconf_default
    with: { key: /org/gnome/desktop/interface/clock-format, value: "'"'"'24h'"'"'", lock: true }
  - { name: Bad key, type: dconf_default, continue_on_error: true, with: { key: "no slash", value: "1" } }
YAML
	tsi_rc 0 run seq.yaml --root sysroot --state-dir st --log-dir logs > out &&
	contains out "MB needed)" &&
	contains out "MB are needed" &&
	contains out "notified logged-in users: Message from IT: tests are running" &&
	f=sysroot/etc/dconf/db/local.d/50-tsi-org-gnome-desktop-interface-clock-format &&
	printf "[org/gnome/desktop/interface]\nclock-format='"'"'24h'"'"'\n" > want && cmp want "$f" &&
	contains sysroot/etc/dconf/db/local.d/locks/50-tsi-org-gnome-desktop-interface-clock-format \
	    /org/gnome/desktop/interface/clock-format &&
	contains out "'"'"'no slash'"'"' is not a dconf key"
'

test_expect 'steps and schema include extension step types' '
	tsi steps --extension "$TSI_TOP/sequences/extensions" > out &&
	contains out "check_free_space" && contains out "from: " &&
	tsi schema --extension "$TSI_TOP/sequences/extensions" > schema.json &&
	contains schema.json "\"step_dconf_default\"" &&
	TSI_EXTENSION_DIRS="$TSI_TOP/sequences/extensions" tsi steps --json > s.json &&
	contains s.json "\"notify_users\""
'

test_done
