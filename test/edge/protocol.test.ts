// The wire protocol as docs/protocol.md states it, checked on a live demo server: envelopes whose
// fields come in any order, request id 0, verbs on known paths, text that is not UTF-8.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CONTAINER_ID, ErrorCode, RPC_ERROR_ID, decodeContainer, decodeEnvelope, decodeRpcError, encodeEnvelope, type Envelope } from "rony-ts/runtime/client";
import { EchoIds, MessageIds as EchoMessageIds } from "../../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest } from "../../generated/examples/echo.js";
import { startDemo, until } from "./harness.js";

function varint(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function lengthDelimited(tag: number, bytes: Uint8Array | number[]): number[] {
  return [tag, ...varint(bytes.length), ...bytes];
}

/** An envelope's fields, each encoded on its own, so a test can write them in any order. */
function envelopeFields(env: { constructorId: number; requestId: number; payload: Uint8Array; headers?: Record<string, string> }): number[][] {
  const id = env.constructorId >>> 0;
  const fields = [[13, id & 0xff, (id >>> 8) & 0xff, (id >>> 16) & 0xff, id >>> 24], [16, ...varint(env.requestId)], lengthDelimited(26, env.payload)];
  for (const [k, v] of Object.entries(env.headers ?? {})) {
    const te = new TextEncoder();
    fields.push(lengthDelimited(34, [...lengthDelimited(10, te.encode(k)), ...lengthDelimited(18, te.encode(v))]));
  }
  return fields;
}

const inOrder = (fields: number[][], order: readonly number[]) => Uint8Array.from(order.flatMap((i) => fields[i]!));

const say = (text: string) => EchoRequest.encode({ intValue: 7n, boolValue: true, text }).finish();

function open(url: string): Promise<WebSocket> {
  const sock = new WebSocket(url);
  return new Promise((resolve, reject) => {
    sock.once("open", () => resolve(sock));
    sock.once("error", reject);
  });
}

/** Sends binary frames and collects the envelopes that come back until `count` arrived. */
async function exchange(url: string, frames: Uint8Array[], count: number): Promise<Envelope[]> {
  const sock = await open(url);
  const got: Envelope[] = [];
  sock.on("message", (data: Buffer) => got.push(decodeEnvelope(new Uint8Array(data))));
  for (const f of frames) sock.send(f);
  await until(() => got.length >= count);
  sock.close();
  return got;
}

describe("envelopes in any field order", () => {
  it("POST /rpc answers a container with one reply per inner call, whatever order the outer and inner fields come in", async () => {
    const { httpUrl } = await startDemo();
    const permutation = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
    await fc.assert(
      fc.asyncProperty(permutation(4), fc.array(permutation(4), { minLength: 0, maxLength: 3 }), async (outerOrder, innerOrders) => {
        const inner = innerOrders.map((order, i) => inOrder(envelopeFields({ constructorId: EchoIds.Say, requestId: i + 1, payload: say(`n${i}`), headers: { h: "v" } }), order));
        const payload = Uint8Array.from(inner.flatMap((env) => lengthDelimited(10, env)));
        const body = inOrder(envelopeFields({ constructorId: CONTAINER_ID, requestId: 99, payload, headers: { x: "y" } }), outerOrder);
        const res = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body });
        expect(res.status).toBe(200);
        const reply = decodeEnvelope(new Uint8Array(await res.arrayBuffer()));
        expect(reply.constructorId).toBe(CONTAINER_ID);
        const replies = decodeContainer(reply.payload).sort((a, b) => a.requestId - b.requestId);
        expect(replies.map((r) => r.requestId)).toEqual(inner.map((_, i) => i + 1));
        replies.forEach((r, i) => {
          expect(r.constructorId).toBe(EchoMessageIds.EchoReply);
          expect(EchoReply.decode(r.payload).text).toBe(`n${i}`);
        });
      }),
      { numRuns: 40 },
    );
  });

  it("WebSocket reads a call whose request id and payload come before its constructor id", async () => {
    const { wsUrl } = await startDemo();
    const frame = inOrder(envelopeFields({ constructorId: EchoIds.Say, requestId: 5, payload: say("late id") }), [2, 1, 0]);
    const [reply] = await exchange(wsUrl, [frame], 1);
    expect(reply!.requestId).toBe(5);
    expect(EchoReply.decode(reply!.payload).text).toBe("late id");
  });
});

describe("request id 0 is reserved for server pushes", () => {
  it("refuses a call with request id 0 over WebSocket, alone or inside a container, and serves the others", async () => {
    const { wsUrl } = await startDemo();
    const alone = encodeEnvelope({ constructorId: EchoIds.Say, requestId: 0, payload: say("a"), headers: {} });
    const batch = Uint8Array.from([
      ...lengthDelimited(10, encodeEnvelope({ constructorId: EchoIds.Say, requestId: 0, payload: say("b"), headers: {} })),
      ...lengthDelimited(10, encodeEnvelope({ constructorId: EchoIds.Say, requestId: 3, payload: say("c"), headers: {} })),
    ]);
    // The container's own id may be 0: it is not a call, and the replies carry the inner ids.
    const container = encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 0, payload: batch, headers: {} });
    const got = await exchange(wsUrl, [alone, container], 3);
    const refused = got.filter((e) => e.constructorId === RPC_ERROR_ID);
    expect(refused).toHaveLength(2);
    for (const e of refused) {
      expect(e.requestId).toBe(0);
      expect(decodeRpcError(e.payload)).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, items: "requestId" });
    }
    const served = got.find((e) => e.constructorId === EchoMessageIds.EchoReply);
    expect(served?.requestId).toBe(3);
  });

  it("refuses request id 0 on POST /rpc, binary and JSON (a JSON frame without requestId has id 0)", async () => {
    const { httpUrl } = await startDemo();
    const res = await fetch(`${httpUrl}/rpc`, { method: "POST", body: encodeEnvelope({ constructorId: EchoIds.Say, requestId: 0, payload: say("a"), headers: {} }) });
    const env = decodeEnvelope(new Uint8Array(await res.arrayBuffer()));
    expect(env.constructorId).toBe(RPC_ERROR_ID);
    expect(decodeRpcError(env.payload).code).toBe(ErrorCode.INVALID_ARGUMENT);
    const json = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "examples.echo.Echo.Say", input: {} }) });
    expect(await json.json()).toMatchObject({ requestId: 0, constructorId: RPC_ERROR_ID, error: { code: "INVALID_ARGUMENT", items: "requestId" } });
  });
});

describe("HTTP verbs", () => {
  it("answers a known path asked with the wrong verb with 405 and Allow", async () => {
    const { httpUrl } = await startDemo();
    const echo = await fetch(`${httpUrl}/echo`);
    expect(echo.status).toBe(405);
    expect(echo.headers.get("allow")).toBe("POST");
    expect((await echo.json()).code).toBe("UNIMPLEMENTED");
    const rpc = await fetch(`${httpUrl}/rpc`);
    expect(rpc.status).toBe(405);
    expect(rpc.headers.get("allow")).toBe("POST");
    const note = await fetch(`${httpUrl}/notebooks/home/notes/1`, { method: "PATCH", body: "{}" });
    expect(note.status).toBe(405);
    expect(note.headers.get("allow")).toBe("GET, PUT, DELETE");
    // The verbs a path serves still reach their rpcs, and unknown paths stay 404.
    expect((await fetch(`${httpUrl}/notebooks/home/notes/1`)).status).toBe(404);
    expect((await fetch(`${httpUrl}/nowhere`)).status).toBe(404);
  });
});

describe("text that is not UTF-8", () => {
  it("refuses a header that is not UTF-8 with INVALID_ARGUMENT", async () => {
    const { wsUrl } = await startDemo();
    const frame = Uint8Array.from([...envelopeFields({ constructorId: EchoIds.Say, requestId: 4, payload: say("x") }).flat(), ...lengthDelimited(34, [...lengthDelimited(10, [0x6b]), ...lengthDelimited(18, [0xc3, 0x28])])]);
    const [reply] = await exchange(wsUrl, [frame], 1);
    expect(reply!.constructorId).toBe(RPC_ERROR_ID);
    expect(decodeRpcError(reply!.payload).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it("refuses a JSON body that is not UTF-8 with 400", async () => {
    const { httpUrl } = await startDemo();
    const body = Uint8Array.from([...new TextEncoder().encode('{"text":"'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
    const rest = await fetch(`${httpUrl}/echo`, { method: "POST", body });
    expect(rest.status).toBe(400);
    expect((await rest.json()).code).toBe("INVALID_ARGUMENT");
    // POST /rpc answers it as an unreadable frame: 200 with an error envelope, request id 0.
    const rpc = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(rpc.status).toBe(200);
    expect(await rpc.json()).toMatchObject({ requestId: 0, constructorId: RPC_ERROR_ID, error: { code: "INVALID_ARGUMENT" } });
  });
});

describe("JSON values follow the proto3 JSON mapping", () => {
  const post = (httpUrl: string, body: string) => fetch(`${httpUrl}/echo`, { method: "POST", body });

  it("refuses out-of-range, rounded and mistyped values with 400 naming the field, and reads the forms proto3 allows", async () => {
    const { httpUrl } = await startDemo();
    for (const body of ['{"intValue":"9223372036854775808"}', '{"intValue":9007199254740993}', '{"intValue":"1.5"}', '{"boolValue":"true"}', '{"text":5}', "[]"]) {
      const res = await post(httpUrl, body);
      expect(res.status, body).toBe(400);
      const error = await res.json();
      expect(error.code, body).toBe("INVALID_ARGUMENT");
      if (body !== "[]") expect(error.description, body).toMatch(/EchoRequest\.(intValue|boolValue|text): /);
    }
    for (const [body, intValue] of [['{"intValue":"1e3"}', "1000"], ['{"intValue":1e3}', "1000"], ['{"intValue":"-9223372036854775808"}', "-9223372036854775808"], ['{"intValue":"10.0"}', "10"]] as const) {
      const res = await post(httpUrl, body);
      expect(res.status, body).toBe(200);
      expect((await res.json()).intValue, body).toBe(intValue);
    }
    // Unknown fields are ignored, as protobuf's binary parsers skip unknown fields.
    expect(await (await post(httpUrl, '{"text":"hi","unknownField":1}')).json()).toMatchObject({ text: "hi" });
  });

  it("checks query and path values against their fields' types", async () => {
    const { httpUrl } = await startDemo();
    for (const query of ["limit=abc", "limit=1.5", "limit=4294967296", "limit=-1", "limit=true"]) {
      const res = await fetch(`${httpUrl}/notebooks/home/notes?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).description, query).toContain("ListNotesRequest.limit");
    }
    expect((await fetch(`${httpUrl}/notebooks/home/notes?limit=1e1`)).status).toBe(200);
    const id = await fetch(`${httpUrl}/notebooks/home/notes/18446744073709551616`);
    expect(id.status).toBe(400);
    expect((await id.json()).description).toContain("GetNoteRequest.id");
  });

  it("refuses the same values in JSON frames and binary strings that are not UTF-8", async () => {
    const { wsUrl } = await startDemo();
    const sock = await open(wsUrl);
    const replies: { requestId: number; error?: { code: string; description: string } }[] = [];
    sock.on("message", (data) => replies.push(JSON.parse(String(data))));
    sock.send(JSON.stringify({ requestId: 1, method: "examples.echo.Echo.Say", input: { intValue: "9223372036854775808" } }));
    await until(() => replies.length === 1);
    sock.close();
    expect(replies[0]).toMatchObject({ requestId: 1, error: { code: "INVALID_ARGUMENT" } });
    expect(replies[0]!.error!.description).toContain("EchoRequest.intValue");
    // text = c3 28: a two-byte sequence cut short. protobuf's parsers refuse it; so does the edge.
    const [reply] = await exchange(wsUrl, [encodeEnvelope({ constructorId: EchoIds.Say, requestId: 2, payload: Uint8Array.from([0x1a, 0x02, 0xc3, 0x28]), headers: {} })], 1);
    expect(reply!.constructorId).toBe(RPC_ERROR_ID);
    expect(decodeRpcError(reply!.payload).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});
