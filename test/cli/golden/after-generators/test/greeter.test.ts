import { afterAll, beforeAll, expect, it } from "vitest";
import { ErrorCode, HttpTransport, RonyError, WebSocketTransport } from "rony-ts/runtime/client";
import { GreeterClient } from "../generated/shop/greeter.rony.js";
import { createApp, type App } from "../src/app.js";

let app: App | undefined;
let port: number;

beforeAll(async () => {
  app = await createApp();
  port = await app.server.listen(0);
});

afterAll(async () => {
  // When createApp() failed (a database that is not there), its error is the one to read: nothing to close.
  await app?.close();
});

it("greets over WebSocket and counts greetings", async () => {
  const transport = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`);
  const greeter = new GreeterClient(transport);
  expect(await greeter.sayHello({ name: "Ada" })).toEqual({ message: "Hello, Ada!", count: 1n });
  expect((await greeter.sayHello({ name: "Ada" })).count).toBe(2n);
  transport.close();
});

it("greets over HTTP through the REST route", async () => {
  const response = await fetch(`http://127.0.0.1:${port}/hello/Grace`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ message: "Hello, Grace!", count: "1" });
  const greeter = new GreeterClient(new HttpTransport(`http://127.0.0.1:${port}`));
  expect((await greeter.sayHello({ name: "Grace" })).count).toBe(2n);
});

it("refuses an empty name with a typed error", async () => {
  const greeter = new GreeterClient(new HttpTransport(`http://127.0.0.1:${port}`));
  const error = await greeter.sayHello({ name: "" }).catch((e: unknown) => e);
  expect(RonyError.is(error, ErrorCode.INVALID_ARGUMENT)).toBe(true);
});
