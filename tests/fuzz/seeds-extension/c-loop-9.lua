-- a library function that loops in C: stopped by the load budget
local big, s, p = math.maxinteger, ("a"):rep(30000), ("a*"):rep(30) .. "b"
string.find(("a"):rep(100000), ("a"):rep(50000) .. "b", 1, true)
tsi.register_step{ name = "loops", run = function() return 0 end }
