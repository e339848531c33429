=== args
validate seq.yaml
=== sequence
name: Syntax
extensions: [bad.lua, noreg.lua]
steps:
  - name: Inline typo
    type: lua
    with:
      script: |
        local x = 1
        if x then
          print("no end")
  - name: Bad condition
    type: run_command
    condition: { lua: "tsi.get('A') ==" }
    with: { command: "true" }
  - { name: Both, type: lua, with: { script: "return 0", file: x.lua } }
  - { name: Capability typo, type: lua, with: { script: "return 0", capabilities: [exce] } }
=== file bad.lua
tsi.register_step{
  name = "bad",
  run = function(ctx, p)
    return = 1
  end,
}
=== file noreg.lua
tsi.register_step{ name = "No-Caps!", run = function() end }
=== rc
1
=== stderr-contains
bad.lua:4:1: error: Lua syntax error: bad.lua:4: unexpected symbol near '='
noreg.lua:1:1: error: loading the extension failed: noreg.lua:1: tsi.register_step: step name 'No-Caps!' may hold only a-z, 0-9 and '_'
seq.yaml:7:15: error: Lua syntax error: seq.yaml:11: 'end' expected (to close 'if' at line 9) near <eof>
seq.yaml:13:23: error: Lua syntax error: condition:2: unexpected symbol near ')'
seq.yaml:15:5: error: lua needs exactly one of 'script' and 'file'
seq.yaml:16:83: error: unknown capability 'exce' (capabilities are exec, fs and net)
