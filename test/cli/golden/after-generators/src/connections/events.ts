import { KafkaConnection as KafkaConnectionBase } from "../../generated/shop/storage.connections.js";

/**
 * The "events" connection, of the custom kind "kafka". Its settings (`this.config`: url,
 * poolSize, timeoutMs, options) come from rony.config.json and the environment.
 */
export class EventsConnection extends KafkaConnectionBase {
  async connect(): Promise<void> {
    // Open the client for this.config.url here; reject with an error that names the connection and address.
    throw new Error(`connection "${this.name}" (kafka) at ${this.config.url}: connect() is not written yet, see src/connections/events.ts`);
  }

  async close(): Promise<void> {
    // Close what connect() opened.
  }
}
