-- a library function that loops in C: stopped by the load budget
local big, s, p = math.maxinteger, ("a"):rep(30000), ("a*"):rep(30) .. "b"
table.sort(setmetatable({}, { __len = function() return 2^31 - 2 end, __index = rawlen, __newindex = rawequal }))
tsi.register_step{ name = "loops", run = function() return 0 end }
