// The runtime writes the ids of rony's own messages as literals; they must be the compiler's.
import { expect, it } from "vitest";
import { constructorId } from "../compiler/constructor-id.js";
import { CONTAINER_ID, REDIRECT_ID, RPC_ERROR_ID, STREAM_CONTROL_ID } from "../runtime/rpc/index.js";

it("the runtime's constructor ids for rony messages are the compiler's", () => {
  expect(RPC_ERROR_ID).toBe(constructorId("rony.RpcError"));
  expect(CONTAINER_ID).toBe(constructorId("rony.MessageContainer"));
  expect(REDIRECT_ID).toBe(constructorId("rony.Redirect"));
  expect(STREAM_CONTROL_ID).toBe(constructorId("rony.StreamControl"));
});
