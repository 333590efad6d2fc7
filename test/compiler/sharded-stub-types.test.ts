// The generated code of a sharded service is typed by each rpc's input: a stub call without its
// shard key, or with a key of the wrong type, does not compile, and a descriptor's shardKey takes
// only its own rpc's input. Checked by compiling a snippet against generated/examples/wallets*.
import { join } from "node:path";
import ts from "typescript";
import { expect, it } from "vitest";
import { repoRoot } from "../support/run-plugin.js";

// Lines ending in "// error" must fail to compile; the others must compile.
const snippet = `
import { WalletsClusterStub, WalletsService } from "../../generated/examples/wallets.rony.js";
declare const stub: WalletsClusterStub;
export const deposit = stub.deposit({ owner: "ann", amount: 1n });
export const credit = stub.credit({ owner: "ann", amount: -1n });
export const key: string = WalletsService.methods.get.shardKey!({ owner: "ann" }) as string;
export const keyed: (input: { owner: string; amount: bigint }) => unknown = WalletsService.methods.deposit.shardKey!;
export const noOwner = stub.deposit({ amount: 1n }); // error
export const numberOwner = stub.deposit({ owner: 7, amount: 1n }); // error
export const otherInput = WalletsService.methods.set.shardKey!({ owner: "ann", amount: 1n }); // error
export const getIsNotCredit = stub.get({ owner: "ann", amount: 1n }); // error
`;

it("a sharded service's stub and shardKey are typed by each rpc's input", { timeout: 60_000 }, () => {
  const file = join(repoRoot, "test/compiler/sharded-stub-snippet.ts");
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["source"], skipLibCheck: true, types: ["node"], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) => (name === file ? ts.createSourceFile(name, snippet, version) : getSourceFile.call(host, name, version, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? snippet : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  const errorLines = ts.getPreEmitDiagnostics(program)
    .map((d) => {
      expect(d.file?.fileName, ts.flattenDiagnosticMessageText(d.messageText, "\n")).toBe(file);
      return d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line;
    });
  const expected = snippet.split("\n").flatMap((line, i) => (line.endsWith("// error") ? [i] : []));
  expect([...new Set(errorLines)].sort((a, b) => a - b)).toEqual(expected);
});
