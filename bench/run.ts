// Runs every bench/*.bench.ts in its own process, one after the other, so one suite's
// servers and garbage never disturb the next. `npm run bench -- raft redis` runs matching suites only.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const filters = process.argv.slice(2);
const suites = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (suites.length === 0) {
  console.error(`no bench suite matches ${filters.join(" ")}`);
  process.exit(2);
}

let failed = 0;
for (const suite of suites) {
  console.log(`\n=== ${suite} ===`);
  const run = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", `${dir}${suite}`], {
    stdio: "inherit",
  });
  if (run.status !== 0) {
    failed++;
    console.error(`${suite} failed with exit code ${run.status ?? run.signal}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
