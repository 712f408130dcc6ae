-- Create a site's record whole, or not at all: a `sites add` stopped half-way must not leave a
-- record that blocks the name for good. A record without a key hash is such a leftover (an
-- older `sites add` wrote the name first and the rest after): it is replaced.
-- KEYS: site
-- ARGV: field, value, field, value, … (every field of a new site)
-- Returns 1 when created, 0 when a site of that name exists.
if redis.call('HEXISTS', KEYS[1], 'key_hash') == 1 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
