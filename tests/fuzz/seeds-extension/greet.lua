capabilities = { "exec" }

tsi.register_step{
  name = "greet",
  summary = "Greets someone",
  params = {
    who = { type = "string", required = true, help = "Who to greet" },
    times = { type = "integer", default = 1, help = "How often" },
    loud = { type = "boolean", default = false, help = "Shout" },
  },
  run = function(ctx, p)
    for i = 1, p.times do
      local msg = "hello " .. p.who
      if p.loud then msg = msg:upper() end
      tsi.log("info", msg)
    end
    tsi.set("Greeted", p.who)
    local r = tsi.exec({"echo", "from exec"})
    tsi.log("info", "exec code " .. r.code .. " out " .. r.stdout)
    return 0
  end,
  plan = function(ctx, p)
    return "greet " .. p.who .. " " .. p.times .. " times"
  end,
}
