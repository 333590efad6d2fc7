// Maps an async iterable without a generator, so that return() reaches the source at once:
// a streaming handler that returns mapStream(subscription, toOutput) is stopped, and the
// subscription with it, the moment its stream is cancelled (a generator would first wait for
// the source's next value).

export function mapStream<A, B>(source: AsyncIterable<A>, map: (a: A) => B): AsyncIterable<B> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<B> {
      const it = source[Symbol.asyncIterator]();
      return {
        next: () => it.next().then((r) => (r.done === true ? { value: undefined, done: true } : { value: map(r.value), done: false })),
        return: async () => {
          await it.return?.();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
