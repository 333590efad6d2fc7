// Linearizability checking by Wing & Gong's search with Lowe's memoization (as in porcupine):
// try to order the operations so that each takes effect between its call and its return and the
// sequence is legal for a register. Histories are checked per key, which is sound for a map.

export interface RegisterOp {
  kind: "put" | "get";
  /** put: the value written; get: the value read (undefined = key absent). */
  value: string | undefined;
  call: number;
  /** Infinity when the outcome is unknown (the client gave up): it may or may not have taken effect. */
  ret: number;
  client: number;
}

interface Node {
  op: number;
  isCall: boolean;
  time: number;
  match: Node | undefined; // call → its return
  prev: Node | undefined;
  next: Node | undefined;
}

const step = (state: string | undefined, op: RegisterOp): [boolean, string | undefined] =>
  op.kind === "put" ? [true, op.value] : [op.value === state, state];

/** True if the history of one register is linearizable. */
export function checkRegister(ops: RegisterOp[], initial: string | undefined = undefined): boolean {
  const points: Node[] = [];
  ops.forEach((o, i) => {
    const call: Node = { op: i, isCall: true, time: o.call, match: undefined, prev: undefined, next: undefined };
    const ret: Node = { op: i, isCall: false, time: o.ret, match: undefined, prev: undefined, next: undefined };
    call.match = ret;
    points.push(call, ret);
  });
  // calls before returns at the same instant: such operations are treated as concurrent
  points.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? 0 : a.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: -Infinity, match: undefined, prev: undefined, next: undefined };
  let prev = head;
  for (const p of points) {
    prev.next = p;
    p.prev = prev;
    prev = p;
  }

  const lift = (n: Node): void => {
    n.prev!.next = n.next;
    n.next!.prev = n.prev;
    const r = n.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (n: Node): void => {
    const r = n.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    n.prev!.next = n;
    n.next!.prev = n;
  };

  const cache = new Set<string>();
  const stack: { node: Node; state: string | undefined }[] = [];
  let linearized = 0n;
  let state = initial;
  let entry = head.next;
  while (head.next !== undefined) {
    if (entry === undefined) return false;
    if (entry.isCall) {
      const [ok, next] = step(state, ops[entry.op]!);
      if (ok) {
        const bits = linearized | (1n << BigInt(entry.op));
        const key = `${bits.toString(36)}|${next ?? "\u0000"}`;
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ node: entry, state });
          state = next;
          linearized = bits;
          lift(entry);
          entry = head.next;
          continue;
        }
      }
      entry = entry.next;
    } else {
      // a return reached before its call was placed: undo the last choice
      const top = stack.pop();
      if (!top) return false;
      state = top.state;
      linearized &= ~(1n << BigInt(top.node.op));
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}

export interface KeyedOp extends RegisterOp {
  key: string;
}

/** Checks a key/value history key by key; returns the keys whose history is not linearizable. */
export function checkKv(ops: KeyedOp[]): string[] {
  const byKey = new Map<string, KeyedOp[]>();
  for (const o of ops) {
    const list = byKey.get(o.key) ?? [];
    list.push(o);
    byKey.set(o.key, list);
  }
  const bad: string[] = [];
  for (const [k, list] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) if (!checkRegister(list)) bad.push(k);
  return bad;
}
