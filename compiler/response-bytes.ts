// The CodeGeneratorResponse's bytes written by hand: the response is a few small fields and
// megabytes of file contents, and a generic message writer builds those in growing chunks that it
// copies again at the end (about a seventh of a cold plugin run, most of it garbage). Here each
// string's UTF-8 length is measured first, then everything is written once into one buffer.
// The bytes equal toBinary(CodeGeneratorResponseSchema, …) (test/compiler/response-bytes.test.ts).

export interface ResponseFile {
  readonly name: string;
  readonly content: string;
}

// Field numbers of google/protobuf/compiler/plugin.proto.
const SUPPORTED_FEATURES = 2; // uint64
const FILE = 15; // repeated File
const FILE_NAME = 1; // string
const FILE_CONTENT = 15; // string
const VARINT = 0;
const LENGTH_DELIMITED = 2;

/** The response listing `files`, with `supportedFeatures` set (a bit set small enough for a number). */
export function responseBytes(files: readonly ResponseFile[], supportedFeatures: number): Uint8Array {
  const sizes = files.map((f) => {
    const name = Buffer.byteLength(f.name, "utf8");
    const content = Buffer.byteLength(f.content, "utf8");
    const body = 1 + varintSize(name) + name + 1 + varintSize(content) + content;
    return { name, content, body };
  });
  // supported_features has explicit presence: written even when 0, as protobuf-es does once set.
  let total = 1 + varintSize(supportedFeatures);
  for (const s of sizes) total += 1 + varintSize(s.body) + s.body;

  const out = Buffer.allocUnsafe(total);
  let at = 0;
  const varint = (n: number) => {
    while (n > 0x7f) {
      out[at++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[at++] = n;
  };
  out[at++] = (SUPPORTED_FEATURES << 3) | VARINT;
  varint(supportedFeatures);
  files.forEach((f, i) => {
    const s = sizes[i] as { name: number; content: number; body: number };
    out[at++] = (FILE << 3) | LENGTH_DELIMITED;
    varint(s.body);
    out[at++] = (FILE_NAME << 3) | LENGTH_DELIMITED;
    varint(s.name);
    at += out.write(f.name, at, "utf8");
    out[at++] = (FILE_CONTENT << 3) | LENGTH_DELIMITED;
    varint(s.content);
    at += out.write(f.content, at, "utf8");
  });
  if (at !== total) throw new Error(`response size ${at} differs from the ${total} bytes measured`);
  return out;
}

function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}
