// streaming=skip: the schema without its streaming rpcs, one warning per rpc left out. For users
// whose transports or peers cannot stream; by default streaming rpcs are generated.
import type { Diagnostic } from "./diagnostics.js";
import type { MethodIR, SchemaIR } from "./ir.js";

function streams(m: MethodIR): boolean {
  return m.clientStreaming || m.serverStreaming;
}

export function withoutStreaming(schema: SchemaIR, warn: (d: Diagnostic) => void): SchemaIR {
  const files = schema.files.map((file) => ({
    ...file,
    services: file.services.map((service) => {
      for (const m of service.methods.filter(streams)) {
        warn({ ...m.source, element: `rpc ${m.fullName}`, option: "", message: "left out: it streams and the parameter streaming=skip is set" });
      }
      return { ...service, methods: service.methods.filter((m) => !streams(m)) };
    }),
  }));
  return { ...schema, files };
}
