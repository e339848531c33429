=== args
validate seq.yaml
=== sequence
extensions: [a.lua, b.lua, builtin.lua]
steps:
  - { name: x, type: restart }
=== file a.lua
tsi.register_step{ name = "cleanup", run = function() end }
=== file b.lua
tsi.register_step{ name = "cleanup", run = function() end }
=== file builtin.lua
tsi.register_step{ name = "run_command", run = function() end }
=== rc
1
=== stderr-contains
b.lua: error: Lua step 'cleanup' in 'b.lua' clashes with 'cleanup' registered by 'a.lua'
builtin.lua: error: Lua step 'run_command' in 'builtin.lua' clashes with the built-in step type 'run_command'
