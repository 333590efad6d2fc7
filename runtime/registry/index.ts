// The cluster registry: node announcements and pattern routes, on a static list or on Redis.
export type { Announcement, NodeAnnouncement, NodeRole, Registry, RegistryChange, RegistryListener } from "./types.js";
export { NODE_ROLES } from "./types.js";
export { RegistryError, type RegistryErrorCode } from "./errors.js";
export { decodeEntry, encodeEntry, validateAnnouncement } from "./entry.js";
export { StaticRegistry } from "./static-registry.js";
export { RedisRegistry, type RedisRegistryOptions } from "./redis-registry.js";
