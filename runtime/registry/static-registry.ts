// The registry for one machine or a fixed cluster: a list of nodes from a config file (or code),
// plus whatever this process announces. Nothing expires: a node listed here is in the view until
// withdrawn, so callers learn of a dead one only from failed calls.
import { readFile } from "node:fs/promises";
import { RegistryError } from "./errors.js";
import { validateAnnouncement } from "./entry.js";
import type { Announcement, NodeAnnouncement, Registry, RegistryListener } from "./types.js";
import { RegistryView } from "./view.js";

export class StaticRegistry implements Registry {
  readonly #view = new RegistryView();
  onError: (error: RegistryError) => void = (e) => console.warn(`rony-ts registry: ${e.message}`);

  /** Every node is validated; a malformed one throws MALFORMED_ENTRY naming its position. */
  constructor(nodes: readonly unknown[] = []) {
    nodes.forEach((node, i) => this.#view.put(validateAnnouncement(node, `#${i}`)));
  }

  /** Reads `{"nodes": [announcement, …]}` from a JSON file. */
  static async fromFile(path: string): Promise<StaticRegistry> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, "utf8"));
    } catch (e) {
      throw new RegistryError("MALFORMED_ENTRY", `${path}: ${(e as Error).message}`, path);
    }
    const nodes = (parsed as { nodes?: unknown } | null)?.nodes;
    if (!Array.isArray(nodes)) throw new RegistryError("MALFORMED_ENTRY", `${path}: needs {"nodes": [ … ]}`, path);
    return new StaticRegistry(nodes);
  }

  async start(): Promise<void> {}

  async announce(node: Announcement): Promise<void> {
    this.#view.put(validateAnnouncement(node));
  }

  async withdraw(id: string): Promise<void> {
    this.#view.remove(id);
  }

  nodes(): ReadonlyMap<string, NodeAnnouncement> {
    return this.#view.nodes;
  }

  watch(listener: RegistryListener): () => void {
    return this.#view.watch(listener);
  }

  async close(): Promise<void> {}
}
