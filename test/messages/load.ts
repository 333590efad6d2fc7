// Finds each message's codec in both generated trees: the const named like ts-proto names it
// (Outer.Middle → Outer_Middle) in the module of its file (x.proto → x.ts).
import { join } from "node:path";
import type { DescFile, DescMessage, FileRegistry } from "@bufbuild/protobuf";
import type { Msg } from "./arbitraries.js";

export interface Codec {
  encode(message: Msg): { finish(): Uint8Array };
  decode(input: Uint8Array): Msg;
  fromJSON(object: unknown): Msg;
  toJSON(message: Msg): unknown;
  create(base?: Msg): Msg;
  fromPartial(object: Msg): Msg;
}

export interface Pair {
  readonly desc: DescMessage;
  readonly ours: Codec;
  readonly ts: Codec;
}

/** Every message of `file`, nested ones included, map entries excluded (ours has no entry type). */
export function messagesOf(file: DescFile): DescMessage[] {
  const walk = (ms: readonly DescMessage[]): DescMessage[] => ms.filter((m) => !m.proto.options?.mapEntry).flatMap((m) => [m, ...walk(m.nestedMessages)]);
  return walk(file.messages);
}

export async function loadPairs(registry: FileRegistry, dirs: { ours: string; ts: string }, typeNames: readonly string[]): Promise<Pair[]> {
  const modules = new Map<string, Promise<Record<string, Codec>>>();
  const load = (dir: string, file: string) => {
    const path = join(dir, file.replace(/\.proto$/, ".ts"));
    if (!modules.has(path)) modules.set(path, import(/* @vite-ignore */ path) as Promise<Record<string, Codec>>);
    return modules.get(path) as Promise<Record<string, Codec>>;
  };
  return Promise.all(
    typeNames.map(async (typeName) => {
      const desc = registry.getMessage(typeName);
      if (desc === undefined) throw new Error(`no message ${typeName}`);
      const exportName = typeName.slice(desc.file.proto.package.length + 1).replaceAll(".", "_");
      const [ours, ts] = await Promise.all([load(dirs.ours, desc.file.name + ".proto"), load(dirs.ts, desc.file.name + ".proto")]);
      if (ours[exportName] === undefined || ts[exportName] === undefined) throw new Error(`${exportName} missing in ${desc.file.name}`);
      return { desc, ours: ours[exportName], ts: ts[exportName] };
    }),
  );
}
