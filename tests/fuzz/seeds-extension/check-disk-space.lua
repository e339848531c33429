-- check-disk-space.lua: a step that stops a sequence before a capture or an
-- upgrade when a filesystem has too little free space.
--
--   - name: Enough room for the state store
--     type: check_free_space
--     with: { path: "%OSDStateStorePath%", min_mb: 2048, output_variable: StoreFreeMB }

capabilities = { "exec" }

-- df -Pk prints POSIX lines: "Filesystem 1024-blocks Used Available Capacity Mounted on"
local function free_mb(path)
  local r, err = tsi.exec({ "df", "-Pk", path })
  if not r then tsi.fail("cannot run df: " .. err) end
  if r.code ~= 0 then tsi.fail("df failed for '" .. path .. "' (exit code " .. r.code .. ")") end
  local line = r.stdout:match("\n([^\n]+)")
  local avail = line and line:match("^%S+%s+%d+%s+%d+%s+(%d+)")
  if not avail then tsi.fail("cannot read df's output for '" .. path .. "'") end
  return math.floor(tonumber(avail) / 1024)
end

tsi.register_step{
  name = "check_free_space",
  summary = "Fail unless a filesystem has at least min_mb MB free.",
  params = {
    path = { type = "string", default = "/", help = "A path on the filesystem to check." },
    min_mb = { type = "integer", required = true, min = 0, max = 1000000000,
               help = "Megabytes that must be free." },
    output_variable = { type = "string", help = "Variable that receives the free megabytes." },
  },
  run = function(ctx, p)
    local mb = free_mb(p.path)
    if p.output_variable then tsi.set(p.output_variable, mb) end
    if mb < p.min_mb then
      tsi.fail(string.format("'%s' has %d MB free; %d MB are needed", p.path, mb, p.min_mb))
    end
    tsi.log("info", string.format("'%s' has %d MB free (%d MB needed)", p.path, mb, p.min_mb))
    return 0
  end,
  plan = function(ctx, p)
    return string.format("check that '%s' has at least %d MB free", p.path, p.min_mb)
  end,
}
