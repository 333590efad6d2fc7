// The app initializer: opens the connections, builds the repositories, registers the services.
// `rony-ts new service|model|connection` edits this file with an AST edit that keeps your code;
// keep the functions customConnections, createModels, migrateModels and registerServices.
import { EdgeServer, withModels, type EdgeContext, type EdgeServerOptions, type ModelContext, type OpenConnectionsOptions, type CustomConnectionConfig } from "rony-ts/runtime";
import { createGreeterModels, migrateGreeterModels } from "../generated/shop/greeter.models.js";
import { registerGreeter } from "../generated/shop/greeter.rony.js";
import { openStorageConnections, type StorageConnections } from "../generated/shop/storage.connections.js";
import { GreeterService } from "./services/greeter.js";
import { registerBilling } from "../generated/shop/billing.rony.js";
import { BillingService } from "./services/billing.js";
import { createInvoiceModels, migrateInvoiceModels } from "../generated/shop/invoice.models.js";
import { EventsConnection } from "./connections/events.js";

/** Factories for connections of custom kinds, by connection name. */
export function customConnections() {
  return {
    events: (config: CustomConnectionConfig) => new EventsConnection("events", config)
  };
}

/** Every repository of the app; handlers reach them as `ctx.models`. */
export function createModels(connections: StorageConnections) {
  return {
    ...createGreeterModels(connections),
    ...createInvoiceModels(connections)
  };
}

/** Creates missing tables and indexes (MySQL); safe on every start. */
export async function migrateModels(connections: StorageConnections): Promise<void> {
  await migrateGreeterModels(connections);
  await migrateInvoiceModels(connections);
}

export type AppModels = ReturnType<typeof createModels>;
export type AppContext = ModelContext<AppModels, EdgeContext>;

export function registerServices(server: EdgeServer, models: AppModels): void {
  const registry = withModels(server, models);
  registerGreeter(registry, new GreeterService());
  registerBilling(registry, new BillingService());
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
