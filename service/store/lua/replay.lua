-- The first answer to an Idempotency-Key, looked up before a retried comment is validated and
-- scored again. Its time to live is written back unchanged: a write, so that a WAIT after this
-- call confirms the answer (and the comment stored with it) reached a replica.
-- KEYS: idem. Returns the answer, or false.
local first = redis.call('GET', KEYS[1])
if not first then return false end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return first
