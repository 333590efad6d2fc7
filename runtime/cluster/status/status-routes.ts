// Serves the cluster status on a node's edge: GET /cluster (the page: one HTML file, its CSS and
// script inline, no build step) and GET /cluster/status.json (what the page polls every second),
// plus the NodeStats rpc the other nodes' pages ask this node through the tunnel.
// Like /metrics, both GET routes answer whoever reaches the edge: they show topology and load,
// never data or secrets. A request costs at most one round of NodeStats calls per cacheMs.
import { readFileSync } from "node:fs";
import type { HttpResponse } from "uWebSockets.js";
import type { EdgeServer } from "../../edge/index.js";
import { ClusterStatusCollector, type ClusterStatusSource } from "./status-collector.js";
import { NODE_STATS } from "./node-stats.js";

let page: string | undefined;
/** NodeStats calls each edge answered: left out of its calls per second, or polling would show as load. */
const statsCalls = new WeakMap<object, number>();

/** How many of the edge's calls were NodeStats asked by status pages. */
export function nodeStatsCalls(edge: object): number {
  return statsCalls.get(edge) ?? 0;
}

/** The page, read once from beside this module (the build copies it into dist). */
function statusPage(): string {
  page ??= readFileSync(new URL("./status-page.html", import.meta.url), "utf8");
  return page;
}

/**
 * Registers NodeStats and the GET routes on `edge`, before its listen(). `path` is the page's;
 * the JSON is at `${path}/status.json`.
 */
export function serveClusterStatus<Auth>(edge: EdgeServer<Auth>, source: ClusterStatusSource, path = "/cluster"): ClusterStatusCollector {
  const collector = new ClusterStatusCollector(source);
  edge.add(NODE_STATS, async () => {
    statsCalls.set(edge, (statsCalls.get(edge) ?? 0) + 1);
    return source.self();
  });
  const html = statusPage();
  edge.get(path, (res) => {
    res.cork(() => res.writeHeader("content-type", "text/html; charset=utf-8").writeHeader("cache-control", "no-store").end(html));
  });
  edge.get(`${path}/status.json`, (res) => serveJson(res, collector));
  return collector;
}

function serveJson(res: HttpResponse, collector: ClusterStatusCollector): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  collector.status().then(
    (status) => {
      if (!aborted) res.cork(() => res.writeHeader("content-type", "application/json").writeHeader("cache-control", "no-store").end(JSON.stringify(status)));
    },
    (e: unknown) => {
      if (!aborted) res.cork(() => res.writeStatus("500 Internal Server Error").writeHeader("content-type", "text/plain").end(`cluster status: ${e instanceof Error ? e.message : String(e)}`));
    },
  );
}
