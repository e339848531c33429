-- a library function that loops in C: stopped by the load budget
local big, s, p = math.maxinteger, ("a"):rep(30000), ("a*"):rep(30) .. "b"
assert(load(("x=1 "):rep(1000000)))
tsi.register_step{ name = "loops", run = function() return 0 end }
