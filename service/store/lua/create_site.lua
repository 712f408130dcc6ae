-- Create a site's record whole, or not at all: a `sites add` stopped half-way must not leave a
-- record that blocks the name for good. A record without a key hash is such a leftover (an
-- older `sites add` wrote the name first and the rest after): it is replaced.
-- Arguments: scripts.CREATE_SITE.
-- Returns 1 when created, 0 when a site of that name exists.
local site_key = KEYS[1]
local FIXED_ARGS = 0  -- then field, value, … of the new site's record

if redis.call('HEXISTS', site_key, 'key_hash') == 1 then return 0 end
redis.call('DEL', site_key)
redis.call('HSET', site_key, unpack(ARGV, FIXED_ARGS + 1))
return 1
