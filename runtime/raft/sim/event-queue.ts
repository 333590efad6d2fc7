// A min-heap of timed events; ties run in insertion order so a seed always replays the same run.

interface Item {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: Item[] = [];
  private seq = 0;
  now = 0;

  schedule(at: number, run: () => void): void {
    const item = { at: Math.max(at, this.now), seq: this.seq++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Runs the next event if it is due by `until`; false when none is. */
  runNext(until: number): boolean {
    const h = this.heap;
    if (h.length === 0 || h[0]!.at > until) return false;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    this.now = top.at;
    top.run();
    return true;
  }
}

const less = (a: Item, b: Item): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
