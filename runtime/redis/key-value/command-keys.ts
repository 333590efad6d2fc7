/**
 * Which arguments of a Redis command are keys, so the generic forwarder can route any command.
 * Covers the key layouts of Redis 7's commands: the first argument (the default), all
 * arguments, all but a trailing timeout, key/value pairs, `numkeys`-prefixed lists and
 * XREAD's `STREAMS`. `null` means the command has no key (PING, INFO, SCAN …).
 * Known gap: optional `STORE key` arguments of SORT and GEORADIUS are not seen as keys.
 */
export type CommandArg = string | Buffer | number;

const KEYLESS = new Set([
  "PING", "ECHO", "INFO", "DBSIZE", "FLUSHDB", "FLUSHALL", "KEYS", "SCAN", "RANDOMKEY", "TIME", "SELECT",
  "CONFIG", "CLIENT", "SCRIPT", "FUNCTION", "PUBLISH", "SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE",
  "SSUBSCRIBE", "PUBSUB", "MULTI", "EXEC", "DISCARD", "UNWATCH", "WAIT", "SAVE", "BGSAVE", "BGREWRITEAOF",
  "LASTSAVE", "SHUTDOWN", "DEBUG", "MONITOR", "SLOWLOG", "COMMAND", "CLUSTER", "READONLY", "READWRITE",
  "AUTH", "HELLO", "QUIT", "SWAPDB", "LATENCY", "ACL", "ROLE", "REPLICAOF", "SLAVEOF", "LOLWUT", "RESET",
]);
const ALL_ARGS = new Set([
  "DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "WATCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE",
  "SUNIONSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE",
]);
const FIRST_TWO = new Set(["RENAME", "RENAMENX", "RPOPLPUSH", "BRPOPLPUSH", "SMOVE", "LMOVE", "BLMOVE", "COPY", "GEOSEARCHSTORE", "ZRANGESTORE"]);
const ALL_BUT_LAST = new Set(["BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"]);
const PAIRS = new Set(["MSET", "MSETNX"]);
/** `script numkeys key…` */
const SCRIPT = new Set(["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"]);
/** `numkeys key…` */
const NUMKEYS_FIRST = new Set(["ZUNION", "ZINTER", "ZDIFF", "SINTERCARD", "ZINTERCARD", "LMPOP", "ZMPOP"]);
/** `destination numkeys key…` or `timeout numkeys key…` */
const NUMKEYS_SECOND = new Set(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "BLMPOP", "BZMPOP"]);
/** `subcommand key …` */
const SECOND = new Set(["OBJECT", "MEMORY", "XINFO"]);

// Functions of the module, not closures per command: under tsx (esbuild's keepNames) a named
// closure costs an Object.defineProperty each time it is made.
function text(args: readonly CommandArg[], i: number): string {
  return String(args[i]);
}

function range(args: readonly CommandArg[], from: number, to: number): string[] {
  const keys: string[] = [];
  for (let i = from; i < to && i < args.length; i++) keys.push(String(args[i]));
  return keys;
}

export function commandKeys(command: string, args: readonly CommandArg[]): string[] | null {
  const name = command.toUpperCase();
  if (KEYLESS.has(name)) return null;
  if (ALL_ARGS.has(name)) return range(args, 0, args.length);
  if (FIRST_TWO.has(name)) return range(args, 0, 2);
  if (ALL_BUT_LAST.has(name)) return range(args, 0, args.length - 1);
  if (PAIRS.has(name)) return range(args, 0, args.length).filter((_, i) => i % 2 === 0);
  if (SCRIPT.has(name)) return range(args, 2, 2 + Number(args[1]));
  if (NUMKEYS_FIRST.has(name)) return range(args, 1, 1 + Number(args[0]));
  if (NUMKEYS_SECOND.has(name)) {
    const listed = range(args, 2, 2 + Number(args[1]));
    return name.endsWith("STORE") ? [text(args, 0), ...listed] : listed;
  }
  if (name === "BITOP") return range(args, 1, args.length);
  if (SECOND.has(name)) return args.length > 1 ? [text(args, 1)] : null;
  if (name === "XREAD" || name === "XREADGROUP") {
    const at = args.findIndex((a) => String(a).toUpperCase() === "STREAMS");
    if (at < 0) return null;
    const rest = args.length - at - 1;
    return range(args, at + 1, at + 1 + rest / 2);
  }
  return args.length > 0 ? [text(args, 0)] : null;
}
