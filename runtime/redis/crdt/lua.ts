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

// Tombstone collection (collect.ts has the rule). `<key>:settled` is a zset per replica: a
// tombstone id → the ms a collection pass first saw it on every replica.

/** OR-set tombstones and settle marks in one consistent read. KEYS: removed, settled. */
export const OR_SET_TOMBSTONES = `return { redis.call('SMEMBERS', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES') }`;

/** LWW entries and settle marks in one consistent read. KEYS: hash, settled. */
export const LWW_TOMBSTONES = `return { redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES') }`;

/**
 * Marks ids settled at ARGV[1] (an earlier mark is kept) and drops the marks listed after the due
 * ids; returns where the due ids are in ARGV. The settled zset is the last key.
 */
const MARKS = `
local function marks()
  local n = tonumber(ARGV[2])
  for i = 3, 2 + n do redis.call('ZADD', KEYS[#KEYS], 'NX', ARGV[1], ARGV[i]) end
  local d = tonumber(ARGV[3 + n])
  for i = 4 + n + d, #ARGV do redis.call('ZREM', KEYS[#KEYS], ARGV[i]) end
  return 4 + n, 3 + n + d
end
`;

/**
 * One collection pass on one replica. KEYS: removed, settled.
 * ARGV: now, #to mark, ids to mark…, #due, tombstones to drop…, marks to drop…
 */
export const OR_SET_COLLECT = `${MARKS}
local first, last = marks()
for i = first, last do
  redis.call('SREM', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
return 1`;

/**
 * One collection pass on one replica: a due id is "<tombstone entry><field>"; the field is
 * dropped only if it still holds that very tombstone (a later write keeps it).
 * KEYS: hash, settled. ARGV: now, #to mark, ids to mark…, #due, due ids…, marks to drop…
 */
export function lwwCollect(entryLength: number): string {
  return `${MARKS}
local first, last = marks()
for i = first, last do
  local id = ARGV[i]
  local field = string.sub(id, ${entryLength + 1})
  if redis.call('HGET', KEYS[1], field) == string.sub(id, 1, ${entryLength}) then redis.call('HDEL', KEYS[1], field) end
  redis.call('ZREM', KEYS[2], id)
end
return 1`;
}
