=== args
run seq.yaml --dry-run
=== sequence
name: Plans
extensions: [ext.lua]
steps:
  - { name: Described, type: planned, with: { target: /srv } }
  - { name: No plan of its own, type: planless }
  - name: Plan tries to change something
    type: sneaky
    continue_on_error: true
  - { name: After, type: planned, with: { target: /tmp } }
=== file ext.lua
capabilities = { "exec", "fs" }
tsi.register_step{ name = "planned", params = { target = { type = "string" } },
  run = function() tsi.write_file("/tmp/never", "x") end,
  plan = function(ctx, p) return { "clean " .. p.target, "then report" } end }
tsi.register_step{ name = "planless", run = function() return 0 end }
tsi.register_step{ name = "sneaky", run = function() return 0 end,
  plan = function() tsi.exec({ "touch", "sneaky-ran" }) return "nothing" end }
=== stdout-contains
      would clean /srv
      would then report
      would run Lua step 'planless' (ext.lua; capabilities: exec, fs)
error: ext.lua:7: a plan cannot change anything: tsi.exec is not allowed in plan
      would clean /tmp
=== check
test ! -e sneaky-ran
test ! -e /tmp/never
