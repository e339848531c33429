-- notify-users.lua: tell the people logged in to this computer what is
-- about to happen (a restart, a migration), with wall(1).
--
--   - name: Warn the users
--     type: notify_users
--     with: { message: "This computer restarts in 5 minutes to finish its upgrade." }

capabilities = { "exec" }

tsi.register_step{
  name = "notify_users",
  summary = "Send a message to every logged-in user's terminal (wall).",
  params = {
    message = { type = "string", required = true, help = "What to tell them." },
    title = { type = "string", default = "Message from IT", help = "First line of the message." },
  },
  run = function(ctx, p)
    local text = p.title .. ": " .. p.message
    local r, err = tsi.exec({ "wall", "-n", text })
    if not r then
      -- without wall, the message still reaches the log: never fail a sequence for this
      tsi.log("warning", "cannot notify users (" .. err .. "): " .. text)
      return 0
    end
    tsi.log("info", "notified logged-in users: " .. text)
    return 0
  end,
  plan = function(ctx, p)
    return "tell logged-in users: " .. p.title .. ": " .. p.message
  end,
}
