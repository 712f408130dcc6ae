-- File an open nudge (a comment answered 422 `nudge`), and count those left unanswered: in the
-- one round trip the nudged POST makes instead of intake's, nudges older than the cutoff go
-- (abandoned), and past the cap the oldest go too (abandoned early: a flood of nudged comments
-- must not grow the set without bound). Answers how many nudges were found abandoned.
-- Arguments: scripts.NUDGE.
local nudges_key = KEYS[1]
local nonce = ARGV[1]
local now = ARGV[2]
local cutoff = ARGV[3]  -- now less an hour
local cap = tonumber(ARGV[4])

local abandoned = redis.call('ZREMRANGEBYSCORE', nudges_key, '-inf', cutoff)
redis.call('ZADD', nudges_key, now, nonce)
local over = redis.call('ZCARD', nudges_key) - cap
if over > 0 then
  redis.call('ZPOPMIN', nudges_key, over)
  abandoned = abandoned + over
end
return abandoned
