/**
 * The part of a key that decides where it lives, with Redis Cluster's rule: the text between
 * the first `{` and the next `}`, if that text is not empty; otherwise the whole key.
 * `user:{42}:profile` and `user:{42}:sessions` therefore always share a node or slot.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  if (open < 0) return key;
  const close = key.indexOf("}", open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
