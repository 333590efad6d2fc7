/** Server-side halves of the CRDT writes: each is idempotent, so a retry or a repair is harmless. */

/** HSET each field to the larger of its stored and given integer total. */
export const MAX_FIELDS = `
for i = 1, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > cur then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

/** HSET each field to the later of its stored and given LWW entry (byte order; the HLC stamp leads). */
export const LATER_FIELDS = `
local function later(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
for i = 1, #ARGV, 2 do
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if not cur or later(ARGV[i + 1], cur) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

/**
 * OR-set update. KEYS: adds, tombstones. ARGV: n, n entries to add, then entries to tombstone.
 * A tombstoned entry is never added back.
 */
export const OR_SET_APPLY = `
local n = tonumber(ARGV[1])
for i = 2 + n, #ARGV do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('SREM', KEYS[1], ARGV[i])
end
for i = 2, 1 + n do
  if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 0 then redis.call('SADD', KEYS[1], ARGV[i]) end
end
return 1`;

/** Both sets of an OR-set in one consistent read. */
export const OR_SET_READ = `return { redis.call('SMEMBERS', KEYS[1]), redis.call('SMEMBERS', KEYS[2]) }`;
