-- The first answer to an Idempotency-Key, looked up before a retried comment is validated and
-- scored again. Its time to live is written back unchanged: a write, so that a WAIT after this
-- call confirms the answer (and the comment stored with it) reached a replica.
-- Arguments: scripts.REPLAY. Returns the answer, or false.
local idempotency_key = KEYS[1]

local first = redis.call('GET', idempotency_key)
if not first then return false end
local ttl = redis.call('PTTL', idempotency_key)
if ttl > 0 then redis.call('PEXPIRE', idempotency_key, ttl) end
return first
