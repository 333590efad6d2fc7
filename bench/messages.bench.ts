// Message codecs: the modules protoc-gen-rony-ts writes, against the peers generated from the same
// schema in the same run (ts-proto, and protobuf-es' reflection codec from protoc-gen-es), and the
// runtime's hand-written Envelope codec (which also validates UTF-8 and sizes, and types its
// errors). ns per operation, best of the rounds.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { decodeEnvelope, encodeEnvelope } from "rony-ts/runtime/rpc";
import { Account, Plan } from "../generated/examples/accounts.js";
import { Envelope } from "../generated/rony/envelope.js";
import { bufBin, repoRoot } from "../test/support/run-plugin.js";

const ROUNDS = 7;
const OPS = 100_000;

const work = join(repoRoot, ".bench-tmp/messages");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(join(repoRoot, "schemas"), join(work, "schemas"), { recursive: true });
writeFileSync(join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: schemas\n");
const bin = (name: string) => join(repoRoot, "node_modules/.bin", name);
writeFileSync(join(work, "buf.gen.yaml"), [
  "version: v2",
  "inputs:",
  "  - directory: schemas",
  "    paths: [schemas/examples/accounts.proto, schemas/rony/envelope.proto, schemas/rony/options.proto]",
  "plugins:",
  `  - local: ${bin("protoc-gen-ts_proto")}`,
  "    out: ts-proto",
  "    opt: [esModuleInterop=true, importSuffix=.js, forceLong=bigint, outputServices=false, useExactTypes=false, env=both]",
  `  - local: ${bin("protoc-gen-es")}`,
  "    out: es",
  "    opt: [target=ts, import_extension=js]",
  "",
].join("\n"));
execFileSync(bufBin, ["generate"], { cwd: work, stdio: "inherit" });

type Codec = typeof Account;
const tsAccount = (await import(join(work, "ts-proto/examples/accounts.ts"))).Account as Codec;
const tsEnvelope = (await import(join(work, "ts-proto/rony/envelope.ts"))).Envelope as typeof Envelope;
const esAccount = (await import(join(work, "es/examples/accounts_pb.ts"))).AccountSchema as DescMessage;
const esEnvelope = (await import(join(work, "es/rony/envelope_pb.ts"))).EnvelopeSchema as DescMessage;

const account = Account.fromPartial({
  tenant: "acme", id: 1234567890123n, email: "ada@example.com", handle: "ada", displayName: "Ada Lovelace",
  plan: Plan.PLAN_PRO, credits: 9_000_000_000n, score: -42, logins: 77, balance: 1234.5, ratio: 0.25, active: true,
  avatar: new Uint8Array(64).fill(7), tags: ["math", "engines", "poetry"], friendIds: [1n, 2n, 3n, 4n],
  address: { street: "12 St James's Square", city: "London", geohash: 987654321n }, counters: { logins: 5n, posts: 12n },
  nickname: "countess", locale: "en", quota: 100,
});
const envelope = { constructorId: 0x1234abcd, requestId: 42, payload: new Uint8Array(48).fill(1), headers: { trace: "abc123" } };

let sink = 0;
function time(fn: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) sink += fn() === undefined ? 0 : 1;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / OPS);
  }
  return best;
}

const accountBytes = Account.encode(account).finish();
const accountJson = Account.toJSON(account);
const esMessage = fromBinary(esAccount, accountBytes);
const envelopeBytes = encodeEnvelope(envelope);
const esEnvelopeMessage = fromBinary(esEnvelope, envelopeBytes);

const rows: [string, Record<string, number>][] = [
  ["Account encode", {
    "rony-ts": time(() => Account.encode(account).finish()),
    "ts-proto": time(() => tsAccount.encode(account).finish()),
    "protobuf-es": time(() => toBinary(esAccount, esMessage)),
  }],
  ["Account decode", {
    "rony-ts": time(() => Account.decode(accountBytes)),
    "ts-proto": time(() => tsAccount.decode(accountBytes)),
    "protobuf-es": time(() => fromBinary(esAccount, accountBytes)),
  }],
  ["Account toJSON", {
    "rony-ts": time(() => Account.toJSON(account)),
    "ts-proto": time(() => tsAccount.toJSON(account)),
    "protobuf-es": time(() => toJson(esAccount, esMessage)),
  }],
  ["Account fromJSON", {
    "rony-ts": time(() => Account.fromJSON(accountJson)),
    "ts-proto": time(() => tsAccount.fromJSON(accountJson)),
    "protobuf-es": time(() => fromJson(esAccount, accountJson as JsonValue)),
  }],
  ["Envelope encode", {
    "rony-ts": time(() => Envelope.encode(envelope).finish()),
    "ts-proto": time(() => tsEnvelope.encode(envelope).finish()),
    "protobuf-es": time(() => toBinary(esEnvelope, esEnvelopeMessage)),
    "hand-written, validating": time(() => encodeEnvelope(envelope)),
  }],
  ["Envelope decode", {
    "rony-ts": time(() => Envelope.decode(envelopeBytes)),
    "ts-proto": time(() => tsEnvelope.decode(envelopeBytes)),
    "protobuf-es": time(() => fromBinary(esEnvelope, envelopeBytes)),
    "hand-written, validating": time(() => decodeEnvelope(envelopeBytes)),
  }],
];

console.log(`${"what".padEnd(18)}${"impl".padEnd(26)}${"ns/op".padStart(9)}${"rony-ts / it".padStart(15)}`);
for (const [what, byImpl] of rows) {
  const ours = byImpl["rony-ts"] ?? NaN;
  for (const [impl, ns] of Object.entries(byImpl)) {
    console.log(`${what.padEnd(18)}${impl.padEnd(26)}${ns.toFixed(0).padStart(9)}${(ours / ns).toFixed(2).padStart(14)}×`);
  }
}
console.log(`machine load while measuring: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (2 cores)`);
if (sink === 0) console.log("");
rmSync(work, { recursive: true, force: true });
