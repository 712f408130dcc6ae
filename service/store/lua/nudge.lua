-- File an open nudge (a comment answered 422 `nudge`), and count those left unanswered: in the
-- one round trip the nudged POST makes instead of intake's, nudges older than the cutoff go
-- (abandoned), and past the cap the oldest go too (abandoned early: a flood of nudged comments
-- must not grow the set without bound).
-- KEYS: nudges
-- ARGV: nonce, now, cutoff (now - an hour), cap
-- Answers how many nudges were found abandoned.
local abandoned = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then
  redis.call('ZPOPMIN', KEYS[1], over)
  abandoned = abandoned + over
end
return abandoned
