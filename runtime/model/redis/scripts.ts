// The Lua scripts that keep a record, its partition list, its index keys and the count in
// step: each write is one script, so Redis runs it atomically and a conflict writes nothing.

/**
 * KEYS: count, then per record: record, partition, unique keys…, index keys…
 * ARGV: mode ("insert" | "save" | "update"), then per record: #unique, #index, body, member.
 * Returns {"ok"} or {"exists", what} or {"missing"}. Checks every record before writing any.
 */
export const WRITE_SCRIPT = `
local mode = ARGV[1]
local groups, claimed = {}, {}
local k, a = 2, 2
while a <= #ARGV do
  local nu, ni = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local g = { rec = KEYS[k], part = KEYS[k + 1], body = ARGV[a + 2], member = ARGV[a + 3], u = {}, i = {} }
  for j = 1, nu do g.u[j] = KEYS[k + 1 + j] end
  for j = 1, ni do g.i[j] = KEYS[k + 1 + nu + j] end
  k = k + 2 + nu + ni
  a = a + 4
  g.exists = redis.call('EXISTS', g.rec) == 1
  if mode == 'insert' and (g.exists or claimed[g.rec]) then return { 'exists', 'primary key' } end
  if mode == 'update' and not g.exists then return { 'missing' } end
  claimed[g.rec] = g.rec
  for _, key in ipairs(g.u) do
    local owner = claimed[key] or redis.call('GET', key)
    if owner and owner ~= g.rec then return { 'exists', key } end
    claimed[key] = g.rec
  end
  groups[#groups + 1] = g
end
for _, g in ipairs(groups) do
  local keep = {}
  for _, key in ipairs(g.u) do keep[key] = true end
  for _, key in ipairs(g.i) do keep[key] = true end
  if g.exists then
    local old = redis.call('HGET', g.rec, 'x') or ''
    for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
      if not keep[key] then
        if kind == 'u' then
          if redis.call('GET', key) == g.rec then redis.call('DEL', key) end
        else
          redis.call('ZREM', key, g.member)
        end
      end
    end
  else
    redis.call('INCR', KEYS[1])
  end
  local held = {}
  for _, key in ipairs(g.u) do
    redis.call('SET', key, g.rec)
    held[#held + 1] = 'u' .. key .. '\\n'
  end
  for _, key in ipairs(g.i) do
    redis.call('ZADD', key, 0, g.member)
    held[#held + 1] = 'i' .. key .. '\\n'
  end
  redis.call('HSET', g.rec, 'd', g.body, 'x', table.concat(held))
  redis.call('ZADD', g.part, 0, g.member)
end
return { 'ok' }
`;

/**
 * One record, the common case, with as few server calls as a hand-written script: unique values
 * are claimed with SET NX GET (Redis ≥ 7), claims are undone if a later one conflicts, and the
 * index keys the record holds (`held`, built by the client) replace the old ones.
 * KEYS: count, record, partition, unique keys…, index keys…
 * ARGV: mode, #unique, body, member, held. Returns "ok", "exists:<what>" or "missing".
 */
export const WRITE_ONE_SCRIPT = `
local rec, mode, nu = KEYS[2], ARGV[1], tonumber(ARGV[2])
local exists = redis.call('EXISTS', rec) == 1
if exists then
  if mode == 'insert' then return 'exists:primary key' end
elseif mode == 'update' then
  return 'missing'
end
local claimed = {}
for i = 4, 3 + nu do
  local owner = redis.call('SET', KEYS[i], rec, 'NX', 'GET')
  if not owner then
    claimed[#claimed + 1] = KEYS[i]
  elseif owner ~= rec then
    for _, key in ipairs(claimed) do redis.call('DEL', key) end
    return 'exists:' .. KEYS[i]
  end
end
if exists then
  local old = redis.call('HGET', rec, 'x')
  if old and old ~= ARGV[5] then
    local keep = {}
    for i = 4, #KEYS do keep[KEYS[i]] = true end
    for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
      if not keep[key] then
        if kind == 'u' then
          if redis.call('GET', key) == rec then redis.call('DEL', key) end
        else
          redis.call('ZREM', key, ARGV[4])
        end
      end
    end
  end
else
  redis.call('INCR', KEYS[1])
end
for i = 4 + nu, #KEYS do redis.call('ZADD', KEYS[i], 0, ARGV[4]) end
redis.call('HSET', rec, 'd', ARGV[3], 'x', ARGV[5])
redis.call('ZADD', KEYS[3], 0, ARGV[4])
return 'ok'
`;

/** KEYS: count, record, partition. ARGV: member. Returns 1 when a record was deleted. */
export const DELETE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local old = redis.call('HGET', KEYS[2], 'x') or ''
for kind, key in string.gmatch(old, '(%a)([^\\n]+)\\n') do
  if kind == 'u' then
    if redis.call('GET', key) == KEYS[2] then redis.call('DEL', key) end
  else
    redis.call('ZREM', key, ARGV[1])
  end
end
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DECR', KEYS[1])
return 1
`;
