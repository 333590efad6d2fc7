#!/usr/bin/env node
// protoc / buf plugin entry: CodeGeneratorRequest on stdin, CodeGeneratorResponse on stdout.
// Schema mistakes print `file.proto:line: element: option: message` on stderr and exit 1, without a stack.
import { formatDiagnostic, generateFromBytes, GenerationError, ParameterError } from "../compiler/index.js";
import { allPlugins } from "../plugins/index.js";

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

try {
  // Warnings (rpcs left out under streaming=skip) go to stderr, which buf and protoc show.
  const warn = (d: Parameters<typeof formatDiagnostic>[0]) => process.stderr.write(`protoc-gen-rony-ts: warning: ${formatDiagnostic(d)}\n`);
  process.stdout.write(generateFromBytes(await readStdin(), allPlugins, warn));
} catch (err) {
  if (err instanceof GenerationError || err instanceof ParameterError) {
    process.stderr.write(`protoc-gen-rony-ts: ${err.message.replaceAll("\n", "\nprotoc-gen-rony-ts: ")}\n`);
    process.exit(1);
  }
  throw err;
}
