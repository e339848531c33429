=== args
run seq.yaml --state-dir st --log-dir logs
=== sequence
name: Extension
extensions: [ext]
steps:
  - name: Greet twice
    type: greet
    with: { who: "%User%", times: "%Times%", tags: [a, b], extra: { k: v } }
  - name: Show what it set
    type: run_command
    with: { command: "echo greeted=%Greeted%" }
variables:
  User: bob
  Times: 2
=== file ext/greet.lua
tsi.register_step{
  name = "greet",
  summary = "Greets someone",
  params = {
    who = { type = "string", required = true, help = "Who" },
    times = { type = "integer", default = 1, min = 1, max = 5, help = "How often" },
    loud = { type = "boolean", default = false, help = "Shout" },
    tags = { type = "list", help = "Tags" },
    extra = { type = "map", help = "More" },
  },
  run = function(ctx, p)
    for i = 1, p.times do tsi.log("info", "hello " .. p.who .. " #" .. i) end
    tsi.log("info", string.format("loud=%s tags=%s extra.k=%s step=%s at %s:%d",
      tostring(p.loud), table.concat(p.tags, ","), p.extra.k, ctx.name, ctx.file, ctx.line))
    tsi.set("Greeted", p.who)
    return 0
  end,
}
=== stdout-contains
[1/2] Greet twice (greet, seq.yaml:4)
hello bob #1
hello bob #2
loud=false tags=a,b extra.k=v step=Greet twice at seq.yaml:4
  | greeted=bob
