// The slot admin rpcs' descriptors are written by hand; their ids must be the compiler's.
import { expect, it } from "vitest";
import { constructorId } from "../../compiler/constructor-id.js";
import { SlotAdminMethods } from "../../runtime/cluster/slots/slot-admin-rpcs.js";

it("the slot admin rpcs carry the compiler's constructor ids for their names", () => {
  for (const m of Object.values(SlotAdminMethods)) {
    expect(m.constructorId, m.name).toBe(constructorId(`${m.service}.${m.name}`));
    expect(m.outputConstructorId, m.name).toBe(constructorId(m.readOnly && m.name === "Export" ? "rony.SlotExportReply" : "rony.SlotTableReply"));
  }
});
