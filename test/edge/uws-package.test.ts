// The edge runs on the native uWebSockets.js build, not on the fork's JavaScript fallback (which
// it loads, with a warning, on a Node it has no binary for). See docs/edge.md "Which uWebSockets.js".
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import uws from "uWebSockets.js";

const require = createRequire(import.meta.url);

it("uWebSockets.js is the @trufflesuite fork, and its native binary for this Node is what loads", () => {
  const pkg = JSON.parse(readFileSync(require.resolve("uWebSockets.js/package.json"), "utf8")) as { name: string };
  expect(pkg.name).toBe("@trufflesuite/uws-js-unofficial");
  const binary = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  expect(require(binary)).toBe(uws);
  expect(Function.prototype.toString.call(uws.App)).toContain("[native code]");
});
