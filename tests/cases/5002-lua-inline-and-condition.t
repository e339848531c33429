=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Inline
variables:
  Count: 41
steps:
  - name: Compute
    type: lua
    with:
      script: |
        local n = tonumber(tsi.get("Count")) + 1
        tsi.set("Answer", n)
        print("computed", n)
        return 0
  - name: Only when the answer is 42
    type: run_command
    condition: { lua: "tonumber(tsi.get('Answer')) == 42 and tsi.get('Nothing') == nil" }
    with: { command: "echo condition held" }
  - name: Not when false
    type: run_command
    condition: { lua: "tsi.get('Answer') == '41'" }
    with: { command: "echo never" }
  - name: A condition cannot change anything
    type: run_command
    condition: { lua: "tsi.set ~= nil or print ~= nil" }
    with: { command: "echo never" }
  - name: Exit code from the chunk
    type: lua
    success_codes: [3]
    with: { file: chunk.lua }
=== file chunk.lua
tsi.log("info", "chunk from a file, step " .. (...).name)
return 3
=== stdout-contains
computed	42
  | condition held
[3/5] step 'Not when false': skipped (condition false: Lua condition 'tsi.get('Answer') == '41'' is false)
Lua condition 'tsi.set ~= nil or print ~= nil' failed: condition:1: undefined global 'print'
chunk from a file, step Exit code from the chunk
[5/5] Exit code from the chunk: succeeded (exit code 3, N s)
=== stdout-lacks
  | never
