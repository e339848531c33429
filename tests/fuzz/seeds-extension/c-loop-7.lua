-- a library function that loops in C: stopped by the load budget
local big, s, p = math.maxinteger, ("a"):rep(30000), ("a*"):rep(30) .. "b"
pcall(string.find, s, p) s:gsub("a-a-a-a-a-b", "%0")
tsi.register_step{ name = "loops", run = function() return 0 end }
