// `rony-ts cluster move` and `rony-ts cluster slots`: the slot mover and the slot map of a running
// sharded cluster, reached through its registry (Redis, or a static registry file) or a node list.
import { moveSlots, slotTables, type MoverNode, type MoverOptions } from "../../runtime/cluster/slots/slot-mover.js";
import { SlotRanges } from "../../runtime/cluster/slots/slot-ranges.js";
import { RedisRegistry, StaticRegistry, type Registry } from "../../runtime/registry/index.js";
import { RonyError } from "../../runtime/rpc/errors.js";
import { CliError } from "../project/errors.js";

export interface ClusterOptions {
  registry?: string;
  registryPrefix?: string;
  nodes?: string;
  secretEnv?: string;
  timeout?: string;
}

const NODE = /^((\d+):\d+)@([^:@,\s]+):(\d{1,5})$/;

/** "1:1@127.0.0.1:7001,2:1@127.0.0.1:7101": cluster-wide id @ edge address. */
export function parseNodes(text: string): MoverNode[] {
  return text.split(",").map((item) => {
    const m = NODE.exec(item.trim());
    if (m === null) throw new CliError(`--nodes: "${item}" is not <replicaSet>:<raftId>@host:port (e.g. 1:1@127.0.0.1:7001)`);
    return { id: m[1]!, replicaSet: Number(m[2]), host: m[3]!, port: Number(m[4]) };
  });
}

async function nodesFromRegistry(url: string, secret: string, prefix: string | undefined): Promise<MoverNode[]> {
  let registry: Registry;
  const redis = /^redis:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (redis !== null) registry = new RedisRegistry({ redis: { host: redis[1]!, port: Number(redis[2] ?? 6379) }, secret, prefix });
  else if (url.startsWith("redis:")) throw new CliError(`--registry ${url}: expected redis://host:port`);
  else registry = await StaticRegistry.fromFile(url);
  registry.onError = (e) => process.stderr.write(`rony-ts: registry: ${e.message}\n`);
  try {
    await registry.start();
    const nodes: MoverNode[] = [];
    for (const node of registry.nodes().values()) {
      const set = Number(node.replicaSet);
      const address = /^(.+):(\d{1,5})$/.exec(node.tunnelAddress || node.edgeAddress);
      if (node.replicaSet === "" || !Number.isSafeInteger(set) || address === null) continue;
      nodes.push({ id: node.id, replicaSet: set, host: address[1]!, port: Number(address[2]) });
    }
    return nodes;
  } finally {
    await registry.close();
  }
}

async function moverOptions(o: ClusterOptions): Promise<MoverOptions> {
  const variable = o.secretEnv ?? "RONY_CLUSTER_SECRET";
  const secret = process.env[variable];
  if (secret === undefined || secret === "") throw new CliError(`the cluster secret is read from $${variable}, which is not set (--secret-env names another variable)`);
  if ((o.registry === undefined) === (o.nodes === undefined)) throw new CliError("give either --registry or --nodes");
  const nodes = o.nodes !== undefined ? parseNodes(o.nodes) : await nodesFromRegistry(o.registry!, secret, o.registryPrefix);
  if (nodes.length === 0) throw new CliError("no replica set nodes found");
  const timeoutMs = Number(o.timeout ?? 15_000);
  if (!(timeoutMs > 0)) throw new CliError(`--timeout ${o.timeout}: a number of milliseconds`);
  return { secret, nodes, timeoutMs, log: (line) => process.stdout.write(`${line}\n`) };
}

export async function clusterMove(o: ClusterOptions & { to: string; slots: string }): Promise<void> {
  const to = Number(o.to);
  if (!Number.isSafeInteger(to) || to <= 0) throw new CliError(`--to ${o.to}: a replica set number`);
  let slots: SlotRanges;
  try {
    slots = SlotRanges.parse(o.slots);
  } catch (e) {
    throw new CliError(`--slots: ${(e as Error).message}`);
  }
  try {
    const report = await moveSlots({ ...(await moverOptions(o)), to, slots });
    if (report.moved.length === 0) process.stdout.write(`slots ${slots.toString()} are already served by replica set ${to}\n`);
    else process.stdout.write(`done: replica set ${to} serves ${slots.toString()} at epoch ${report.epoch}\n`);
  } catch (e) {
    throw asCliError(e);
  }
}

export async function clusterSlots(o: ClusterOptions & { json?: boolean }): Promise<void> {
  try {
    const tables = await slotTables(await moverOptions({ ...o }));
    if (o.json) {
      process.stdout.write(`${JSON.stringify([...tables.values()], null, 2)}\n`);
      return;
    }
    for (const t of tables.values()) {
      process.stdout.write(`replica set ${t.replicaSet} (leader ${t.leader}, epoch ${t.epoch}): ${SlotRanges.parse(t.owned).count} slots ${t.owned || "(none)"}${t.moving ? `; moving ${t.moving}` : ""}\n`);
      for (const run of t.runs) if (run.state !== "owned") process.stdout.write(`  ${run.slots} ${run.state} ${run.state === "gone" ? "to" : "→"} replica set ${run.peer} (epoch ${run.epoch})\n`);
    }
  } catch (e) {
    throw asCliError(e);
  }
}

/** A refusal or an unreachable set is the user's to act on: exit 1 without a stack. */
function asCliError(e: unknown): unknown {
  return e instanceof RonyError ? new CliError(e.message, 1) : e;
}
