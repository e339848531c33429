-- desktop-setting.lua: set a desktop-wide default (or lock) for GNOME and
-- other dconf users, the way an admin would by hand: a keyfile in
-- /etc/dconf/db/local.d/ and `dconf update`.  Works under --root too, so
-- it can prepare an offline system.
--
--   - name: Company wallpaper
--     type: dconf_default
--     with:
--       key: /org/gnome/desktop/background/picture-uri
--       value: "'file:///usr/share/backgrounds/company.png'"
--       lock: true

capabilities = { "fs", "exec" }

local function split_key(key)
  local dir, name = key:match("^/(.+)/([^/]+)$")
  if not dir or not name:match("^[%w%-]+$") then
    tsi.fail("'" .. key .. "' is not a dconf key like /org/gnome/desktop/interface/clock-format")
  end
  return dir, name
end

local function file_name(key)
  return "50-tsi-" .. key:gsub("^/", ""):gsub("[^%w%-]", "-")
end

tsi.register_step{
  name = "dconf_default",
  summary = "Set a system-wide dconf default for all users, optionally locked.",
  params = {
    key = { type = "string", required = true, help = "The dconf key, e.g. /org/gnome/desktop/interface/clock-format." },
    value = { type = "string", required = true, help = "A GVariant value, e.g. '24h' (with quotes) or true." },
    lock = { type = "boolean", default = false, help = "Also lock the key so users cannot change it." },
    database = { type = "string", default = "local", help = "The dconf system database." },
  },
  run = function(ctx, p)
    local dir, name = split_key(p.key)
    local root = tsi.get("_TSIRoot") or "/"
    local base = (root == "/" and "" or root) .. "/etc/dconf/db/" .. p.database
    local keyfile = base .. ".d/" .. file_name(p.key)
    local ok, err = tsi.write_file(keyfile, "[" .. dir .. "]\n" .. name .. "=" .. p.value .. "\n")
    if not ok then tsi.fail(err) end
    if p.lock then
      ok, err = tsi.write_file(base .. ".d/locks/" .. file_name(p.key), p.key .. "\n")
      if not ok then tsi.fail(err) end
    end
    -- compile the database only on the running system, and only if dconf is there
    if root == "/" and tsi.exists("/usr/bin/dconf") then
      local r = tsi.exec({ "dconf", "update" })
      if r and r.code ~= 0 then tsi.fail("dconf update failed (exit code " .. r.code .. ")") end
    end
    return 0
  end,
  plan = function(ctx, p)
    split_key(p.key)
    return { "set " .. p.key .. " = " .. p.value .. " in the '" .. p.database .. "' dconf database",
             p.lock and "lock it for all users" or nil }
  end,
}
