// The app initializer: opens the connections, builds the repositories, registers the services.
// `rony-ts new service|model|connection` edits this file with an AST edit that keeps your code;
// keep the functions customConnections, createModels, migrateModels and registerServices.
import { EdgeServer, withModels, type EdgeContext, type EdgeServerOptions, type ModelContext, type OpenConnectionsOptions } from "rony-ts/runtime";
import { createGreeterModels, migrateGreeterModels } from "../generated/shop/greeter.models.js";
import { registerGreeter } from "../generated/shop/greeter.rony.js";
import { openStorageConnections, type StorageConnections } from "../generated/shop/storage.connections.js";
import { GreeterService } from "./services/greeter.js";

/** Factories for connections of custom kinds, by connection name. */
export function customConnections() {
  return {};
}

/** Every repository of the app; handlers reach them as `ctx.models`. */
export function createModels(connections: StorageConnections) {
  return {
    ...createGreeterModels(connections),
  };
}

/** Creates missing tables and indexes (MySQL); safe on every start. */
export async function migrateModels(connections: StorageConnections): Promise<void> {
  await migrateGreeterModels(connections);
}

export type AppModels = ReturnType<typeof createModels>;
export type AppContext = ModelContext<AppModels, EdgeContext>;

export function registerServices(server: EdgeServer, models: AppModels): void {
  const registry = withModels(server, models);
  registerGreeter(registry, new GreeterService());
}

export interface App {
  readonly server: EdgeServer;
  readonly connections: StorageConnections;
  /** Finishes calls in flight, then closes the connections. */
  close(): Promise<void>;
}

export interface AppOptions {
  readonly connections?: OpenConnectionsOptions;
  readonly edge?: EdgeServerOptions<unknown>;
}

export async function createApp(options: AppOptions = {}): Promise<App> {
  const connections = await openStorageConnections({ ...options.connections, custom: customConnections() });
  await migrateModels(connections);
  const server = new EdgeServer(options.edge);
  registerServices(server, createModels(connections));
  return {
    server,
    connections,
    async close() {
      await server.shutdown();
      await connections.close();
    },
  };
}
