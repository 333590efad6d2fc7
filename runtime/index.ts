// The server-side runtime. Generated service files import only "rony-ts/runtime/rpc".
export * from "./rpc/index.js";
export * from "./edge/index.js";
export * from "./model/index.js";
export * from "./connections/index.js";
export * from "./registry/index.js";
export * from "./patterns/index.js";
