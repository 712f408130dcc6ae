-- Record a batch of training labels unless the very same batch was the last one recorded under
-- its marker (a client's retry, or one that resends what it already said): deduplication and
-- the labels are written together or not at all.
-- KEYS: marker (the site's suggested:<token hash>), labels (the site's stream)
-- ARGV: fingerprint of the batch, marker TTL in seconds, JSON array of labels, each a flat
--       array of stream fields [name, value, name, value, ...]
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for _, fields in ipairs(cjson.decode(ARGV[3])) do
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
return 1
