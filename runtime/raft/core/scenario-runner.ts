// A small interpreter for scenario scripts in the style of etcd's datadriven tests: each block is
// a command, "----", and the exact printout expected. Commands:
//   cluster n=3 [prevote] [checkquorum]   new cluster of voters 1..n
//   campaign <id> | propose <id> <data> | transfer <from> <to> | read <id> <ctx>
//   tick <id> <n> | tick-all <n>          advance logical clocks (messages are queued, not delivered)
//   stabilize                             deliver messages (persisting each Ready) until quiet; prints status
//   isolate <id> | cut <a> <b> | recover  network faults
//   status | log <id> | readstates <id>
import type { Raft } from "./raft.js";
import { decodeConfChange } from "./codec.js";
import { isRaftError } from "./errors.js";
import { MemoryStorage } from "./storage.js";
import { ids, newTestRaft, persistAndApply, readMessages } from "./test-network.js";
import type { Message } from "./types.js";
import { EntryType, MessageType as MT, msg, stateName } from "./types.js";

export interface Block {
  line: number;
  command: string;
  expected: string;
}

export const parseScript = (text: string): Block[] => {
  const lines = text.split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!.trim();
    if (l === "" || l.startsWith("#")) {
      i++;
      continue;
    }
    const line = i + 1;
    if (lines[i + 1]?.trim() !== "----") throw new Error(`line ${line}: expected ---- after command`);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "") out.push(lines[i++]!);
    blocks.push({ line, command: l, expected: out.join("\n") });
  }
  return blocks;
};

/** The script with every expected printout replaced by what run() prints now; comments stay. */
export const rewriteScript = (src: string, run: (command: string) => string): string => {
  const lines = src.split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === "" || l.trim().startsWith("#") || lines[i + 1]?.trim() !== "----") {
      out.push(l);
      i++;
      continue;
    }
    out.push(l, "----", run(l.trim()));
    i += 2;
    while (i < lines.length && lines[i]!.trim() !== "") i++;
  }
  return out.join("\n");
};

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export class Scenario {
  private rafts = new Map<number, Raft>();
  private storages = new Map<number, MemoryStorage>();
  private queue: Message[] = [];
  private cut = new Set<string>();

  run(command: string): string {
    const [cmd, ...args] = command.split(/\s+/);
    const n = (i: number): number => Number(args[i]);
    try {
      switch (cmd) {
        case "cluster":
          return this.cluster(Number(args.find((a) => a.startsWith("n="))?.slice(2) ?? 3), args.includes("prevote"), args.includes("checkquorum"));
        case "campaign":
          this.step(n(0), msg({ type: MT.Hup, from: n(0), to: n(0) }));
          return "ok";
        case "propose":
          this.step(n(0), msg({ type: MT.Prop, from: n(0), to: n(0), entries: [{ term: 0, index: 0, type: EntryType.Normal, data: new TextEncoder().encode(args[1] ?? "") }] }));
          return "ok";
        case "transfer":
          this.step(n(0), msg({ type: MT.TransferLeader, from: n(1), to: n(0) }));
          return "ok";
        case "read":
          this.step(n(0), msg({ type: MT.ReadIndex, from: n(0), to: n(0), entries: [{ term: 0, index: 0, type: EntryType.Normal, data: new TextEncoder().encode(args[1] ?? "") }] }));
          return "ok";
        case "tick":
          for (let i = 0; i < n(1); i++) this.tickOne(n(0));
          return "ok";
        case "tick-all":
          for (let i = 0; i < n(0); i++) for (const id of this.rafts.keys()) this.tickOne(id);
          return "ok";
        case "stabilize":
          this.stabilize();
          return this.status();
        case "isolate":
          for (const other of this.rafts.keys()) if (other !== n(0)) this.cutLink(n(0), other);
          return "ok";
        case "cut":
          this.cutLink(n(0), n(1));
          return "ok";
        case "recover":
          this.cut.clear();
          return "ok";
        case "status":
          return this.status();
        case "log":
          return this.log(n(0));
        case "readstates": {
          const r = this.rafts.get(n(0))!;
          const out = r.readStates.map((rs) => `index=${rs.index} ctx=${text(rs.requestCtx)}`);
          r.readStates = [];
          return out.length > 0 ? out.join("\n") : "(none)";
        }
        default:
          return `unknown command ${cmd}`;
      }
    } catch (e) {
      if (isRaftError(e)) return `error: ${e.code}`;
      throw e;
    }
  }

  private cluster(size: number, preVote: boolean, checkQuorum: boolean): string {
    const peers = ids(size);
    for (const id of peers) {
      const s = MemoryStorage.withVoters(peers);
      this.storages.set(id, s);
      this.rafts.set(id, newTestRaft(id, peers, 10, 1, { storage: s, preVote, checkQuorum }));
    }
    return "ok";
  }

  private cutLink(a: number, b: number): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  private tickOne(id: number): void {
    const r = this.rafts.get(id)!;
    r.tick();
    this.collect(id);
  }

  private step(id: number, m: Message): void {
    this.rafts.get(id)!.step(m);
    this.collect(id);
  }

  /** Persists and applies what the raft produced (conf changes included), then queues its messages. */
  private collect(id: number): void {
    const r = this.rafts.get(id)!;
    for (const e of persistAndApply(r, this.storages.get(id)!)) if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
    for (const m of readMessages(r)) if (!this.cut.has(`${m.from}>${m.to}`)) this.queue.push(m);
  }

  private stabilize(): void {
    for (let steps = 0; this.queue.length > 0; steps++) {
      if (steps > 10_000) throw new Error("did not stabilize");
      const m = this.queue.shift()!;
      if (!this.rafts.has(m.to)) continue;
      this.step(m.to, m);
    }
  }

  private status(): string {
    return [...this.rafts.values()]
      .map((r) => `${r.id}: ${stateName(r.state).padEnd(12)} term=${r.term} lead=${r.lead} commit=${r.raftLog.committed} last=${r.raftLog.lastIndex()}`)
      .join("\n");
  }

  private log(id: number): string {
    const r = this.rafts.get(id)!;
    return r.raftLog
      .allEntries()
      .map((e) => `${e.index}/${e.term} ${e.type === EntryType.ConfChange ? "conf" : text(e.data) || "(empty)"}`)
      .join("\n");
  }
}
