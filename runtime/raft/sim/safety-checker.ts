// The four safety properties of Raft (paper §5.2–5.4, Figure 3), checked as the simulation runs.
// Every change to a node's log, role or state machine passes through a Ready, so checking at each
// Ready is checking after every step.
import type { Entry, Raft } from "../core/index.js";

const fingerprint = (e: Entry): string => `${e.type}:${Buffer.from(e.data).toString("base64")}`;

export class SafetyChecker {
  readonly violations: string[] = [];
  /** term → the node that led it. */
  private leaders = new Map<number, number>();
  /** index → term → (content, term of the entry before it). Induction over this gives Log Matching. */
  private stored = new Map<number, Map<number, { content: string; prevTerm: number | undefined }>>();
  /** index → the entry some state machine applied there. */
  private applied = new Map<number, { term: number; content: string; node: number }>();
  private maxApplied = 0;
  private lastApplied = new Map<number, number>();

  constructor(private readonly label: string) {}

  leaderCount(): number {
    return this.leaders.size;
  }

  private fail(what: string): void {
    if (this.violations.length < 20) this.violations.push(`${this.label}: ${what}`);
  }

  /** Election Safety: at most one leader per term. Leader Completeness: it holds every committed entry. */
  onLeader(raft: Raft): void {
    const prior = this.leaders.get(raft.term);
    if (prior !== undefined && prior !== raft.id) this.fail(`election safety: ${prior} and ${raft.id} both lead term ${raft.term}`);
    this.leaders.set(raft.term, raft.id);
    const log = raft.raftLog;
    if (log.lastIndex() < this.maxApplied) {
      this.fail(`leader completeness: leader ${raft.id} of term ${raft.term} ends at ${log.lastIndex()}, ${this.maxApplied} is committed`);
      return;
    }
    for (let i = Math.max(log.firstIndex(), 1); i <= this.maxApplied; i++) {
      const want = this.applied.get(i);
      if (!want) continue; // applied only through snapshots
      const term = log.termOrUndefined(i);
      if (term !== want.term) this.fail(`leader completeness: leader ${raft.id} term ${raft.term} has term ${term} at ${i}, committed ${want.term}`);
    }
  }

  /** Log Matching, by induction: same (index, term) ⇒ same entry and same term just before it. */
  onPersist(node: number, entries: Entry[], termAt: (i: number) => number | undefined): void {
    for (const e of entries) {
      const prevTerm = termAt(e.index - 1);
      const content = fingerprint(e);
      let byTerm = this.stored.get(e.index);
      if (!byTerm) this.stored.set(e.index, (byTerm = new Map()));
      const seen = byTerm.get(e.term);
      if (!seen) {
        byTerm.set(e.term, { content, prevTerm });
        continue;
      }
      if (seen.content !== content) this.fail(`log matching: node ${node} holds a different entry at index ${e.index} term ${e.term}`);
      if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm)
        this.fail(`log matching: node ${node} entry ${e.index}/${e.term} follows term ${prevTerm}, elsewhere ${seen.prevTerm}`);
    }
  }

  /**
   * A full cross-check of Log Matching over the logs as the cores hold them (unstable entries
   * included): for every pair, wherever two logs hold an entry with the same index and term, they
   * hold identical entries at every index before it.
   */
  scanLogs(rafts: Raft[]): void {
    for (let a = 0; a < rafts.length; a++) {
      for (let b = a + 1; b < rafts.length; b++) {
        const la = rafts[a]!.raftLog;
        const lb = rafts[b]!.raftLog;
        const lo = Math.max(la.firstIndex(), lb.firstIndex());
        const hi = Math.min(la.lastIndex(), lb.lastIndex());
        let matched = false;
        for (let i = hi; i >= lo; i--) {
          const ea = la.slice(i, i + 1, Infinity)[0]!;
          const eb = lb.slice(i, i + 1, Infinity)[0]!;
          if (!matched) {
            matched = ea.term === eb.term;
            if (!matched) continue;
          }
          if (ea.term !== eb.term || fingerprint(ea) !== fingerprint(eb)) {
            this.fail(`log matching: nodes ${rafts[a]!.id} and ${rafts[b]!.id} agree at a later index but differ at ${i}`);
            return;
          }
        }
      }
    }
  }

  /** State Machine Safety: no two state machines apply different entries at one index. */
  onApply(node: number, e: Entry): void {
    const last = this.lastApplied.get(node) ?? 0;
    if (e.index !== last + 1) this.fail(`apply order: node ${node} applied ${e.index} after ${last}`);
    this.lastApplied.set(node, e.index);
    const content = fingerprint(e);
    const prior = this.applied.get(e.index);
    if (!prior) {
      this.applied.set(e.index, { term: e.term, content, node });
      this.maxApplied = Math.max(this.maxApplied, e.index);
    } else if (prior.term !== e.term || prior.content !== content) {
      this.fail(`state machine safety: node ${node} applied ${e.index}/${e.term}, node ${prior.node} applied ${e.index}/${prior.term}`);
    }
  }

  /** A snapshot or restart moves where a node's state machine resumes. */
  onStateMachineReset(node: number, appliedIndex: number): void {
    this.lastApplied.set(node, appliedIndex);
  }
}
