// The receiving end of a stream: messages pushed as frames arrive, pulled by an async iterator.
// It holds at most what the sender's credit allows; each message the reader takes is reported
// (onTaken) so the owner can grant the sender more credit. Ending or failing it wakes the reader.

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

export class StreamQueue<T> implements AsyncIterableIterator<T> {
  readonly #items: T[] = [];
  #head = 0;
  #waiter: Waiter<T> | undefined;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;

  constructor(
    /** Called after the reader took one message. */
    private readonly onTaken: () => void,
    /** Called once if the reader stops early (break, return). */
    private readonly onReturn: () => void = () => {},
  ) {}

  /** Messages received and not read yet. */
  get buffered(): number {
    return this.#items.length - this.#head;
  }

  get settled(): boolean {
    return this.#ended || this.#failed;
  }

  push(item: T): void {
    if (this.settled) return;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve({ value: item, done: false });
      this.onTaken();
      return;
    }
    this.#items.push(item);
  }

  /** No more messages: the reader gets what is buffered, then done. */
  end(): void {
    if (this.settled) return;
    this.#ended = true;
    if (this.buffered === 0) this.#wake();
  }

  /** The stream failed: the reader gets what is buffered, then the error. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.#failed = true;
    this.#error = error;
    if (this.buffered === 0) this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    if (w === undefined) return;
    this.#waiter = undefined;
    if (this.#failed) w.reject(this.#error);
    else w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      if (this.#head === this.#items.length) {
        this.#items.length = 0;
        this.#head = 0;
      }
      this.onTaken();
      return Promise.resolve({ value, done: false });
    }
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiter !== undefined) return Promise.reject(new Error("a stream is read by one reader at a time"));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.settled) {
      this.#ended = true;
      this.#items.length = 0;
      this.#head = 0;
      this.onReturn();
    }
    // A read waiting now (the reader was stopped from outside) ends too.
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
