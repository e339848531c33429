=== args
validate seq.yaml
=== sequence
extensions: [ext.lua]
steps:
  - { name: Typo, type: sized, with: { sise: 3 } }
  - { name: Range, type: sized, with: { size: 99 } }
  - { name: Choice, type: sized, with: { size: 2, color: purple } }
  - { name: Limits on a C step, type: restart, lua_limits: { memory_mb: 2 } }
=== file ext.lua
tsi.register_step{ name = "sized",
  params = {
    size = { type = "integer", required = true, min = 1, max = 10, help = "Size" },
    color = { type = "enum", enum = { "red", "green" }, default = "red", help = "Color" },
  },
  run = function() end }
=== rc
1
=== stderr-contains
seq.yaml:3:40: error: unknown parameter 'sise' for 'sized' (did you mean 'size'?)
seq.yaml:3:5: error: step type 'sized' needs parameter 'size'
seq.yaml:4:47: error: parameter 'size' of 'sized' must be a whole number from 1 to 10, not '99'
seq.yaml:5:58: error: parameter 'color' of 'sized' must be one of 'red', 'green', not 'purple'
seq.yaml:6:60: error: 'lua_limits' applies to steps written in Lua, not to 'restart'
