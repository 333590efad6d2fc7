// Clients for browsers and Node.
export * from "../rpc/index.js";
