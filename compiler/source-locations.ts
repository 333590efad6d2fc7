// Source locations read straight from the request's bytes. SourceCodeInfo is most of a request
// (a location per element, with comments); decoded as messages it was ~55 MB for a 200-file
// schema, so the bin cuts it out before decoding and keeps only what the compiler reads.
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/** Per location path ("4.0.2.1"): its 1-based line and leading comment. */
export type LocationIndex = Map<string, { readonly line: number; readonly comment: string }>;

// Field numbers: CodeGeneratorRequest.proto_file, FileDescriptorProto.name / source_code_info,
// SourceCodeInfo.location, Location.path / span / leading_comments.
const PROTO_FILE = 15;
const FILE_NAME = 1;
const FILE_SOURCE_INFO = 9;
const LOCATION = 1;
const PATH = 1;
const SPAN = 2;
const LEADING = 3;

/** The request without source code info, and that info as one index per file name. */
export function splitSourceInfo(request: Uint8Array): { request: Uint8Array; locations: Map<string, LocationIndex> } {
  const out = new BinaryWriter();
  const locations = new Map<string, LocationIndex>();
  const reader = new BinaryReader(request);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [field, wire] = reader.tag();
    if (field === PROTO_FILE && wire === WireType.LengthDelimited) {
      const { file, name, info } = splitFile(reader.bytes());
      out.tag(PROTO_FILE, WireType.LengthDelimited).bytes(file);
      if (info !== undefined) locations.set(name, readLocations(info));
    } else {
      reader.skip(wire, field);
      out.raw(request.subarray(start, reader.pos));
    }
  }
  return { request: out.finish(), locations };
}

function splitFile(bytes: Uint8Array): { file: Uint8Array; name: string; info: Uint8Array | undefined } {
  const reader = new BinaryReader(bytes);
  let name = "";
  let info: Uint8Array | undefined;
  let cut = { from: bytes.length, to: bytes.length };
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [field, wire] = reader.tag();
    if (field === FILE_NAME && wire === WireType.LengthDelimited) name = reader.string();
    else if (field === FILE_SOURCE_INFO && wire === WireType.LengthDelimited) {
      info = reader.bytes();
      cut = { from: start, to: reader.pos };
    } else reader.skip(wire, field);
  }
  if (info === undefined) return { file: bytes, name, info };
  const file = new Uint8Array(bytes.length - (cut.to - cut.from));
  file.set(bytes.subarray(0, cut.from));
  file.set(bytes.subarray(cut.to), cut.from);
  return { file, name, info };
}

function readLocations(info: Uint8Array): LocationIndex {
  const index: LocationIndex = new Map();
  const reader = new BinaryReader(info);
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field !== LOCATION || wire !== WireType.LengthDelimited) {
      reader.skip(wire, field);
      continue;
    }
    const end = reader.uint32() + reader.pos;
    const path: number[] = [];
    let line = -1;
    let comment = "";
    while (reader.pos < end) {
      const [f, w] = reader.tag();
      if ((f === PATH || f === SPAN) && w === WireType.LengthDelimited) {
        const runEnd = reader.uint32() + reader.pos;
        while (reader.pos < runEnd) {
          const v = reader.int32();
          if (f === PATH) path.push(v);
          else if (line === -1) line = v;
        }
      } else if ((f === PATH || f === SPAN) && w === WireType.Varint) {
        const v = reader.int32();
        if (f === PATH) path.push(v);
        else if (line === -1) line = v;
      } else if (f === LEADING && w === WireType.LengthDelimited) comment = reader.string();
      else reader.skip(w, f);
    }
    const key = path.join(".");
    if (line >= 0 && !index.has(key)) index.set(key, { line: line + 1, comment });
  }
  return index;
}
