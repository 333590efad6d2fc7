// Membership, progress and votes: the quorum arithmetic of a single majority configuration.
import { Progress } from "./progress.js";
import type { ConfState } from "./types.js";

export const VoteResult = { Pending: 0, Lost: 1, Won: 2 } as const;
export type VoteResult = (typeof VoteResult)[keyof typeof VoteResult];

export class ProgressTracker {
  readonly progress = new Map<number, Progress>();
  votes = new Map<number, boolean>();

  constructor(readonly maxInflight: number) {}

  voters(): number[] {
    return [...this.progress.keys()].sort((a, b) => a - b);
  }

  confState(): ConfState {
    return { voters: this.voters() };
  }

  isSingleton(): boolean {
    return this.progress.size === 1;
  }

  quorum(): number {
    return Math.floor(this.progress.size / 2) + 1;
  }

  /** The highest index stored on a majority of voters. */
  committed(): number {
    const n = this.progress.size;
    if (n === 0) return Number.MAX_SAFE_INTEGER; // an empty config commits nothing by itself; callers guard
    const matches = [...this.progress.values()].map((p) => p.match).sort((a, b) => b - a);
    return matches[this.quorum() - 1]!;
  }

  /** Check-quorum: a majority (the leader included) was heard from recently. */
  quorumActive(selfId: number): boolean {
    let active = 0;
    for (const [id, pr] of this.progress) if (id === selfId || pr.recentActive) active++;
    return active >= this.quorum();
  }

  resetVotes(): void {
    this.votes = new Map();
  }

  recordVote(id: number, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.progress.keys()) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    const result =
      granted >= q ? VoteResult.Won : this.progress.size - rejected < q ? VoteResult.Lost : VoteResult.Pending;
    return { granted, rejected, result };
  }
}
