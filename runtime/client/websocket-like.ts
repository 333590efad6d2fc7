// The slice of the WebSocket API the client uses: the browser's WebSocket and `ws` both fit it.

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The global WebSocket where there is one (browsers, Node ≥ 22), else the `ws` package. */
export async function defaultWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global !== undefined) return global;
  // A computed specifier keeps bundlers from pulling `ws` into browser builds.
  const name = "ws";
  const mod = (await import(/* @vite-ignore */ name)) as { WebSocket?: WebSocketConstructor; default: WebSocketConstructor };
  return mod.WebSocket ?? mod.default;
}
