// Lines and comments for descriptors, from the file's SourceCodeInfo (present for files to generate).
import type { DescEnum, DescEnumValue, DescField, DescFile, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";

type Element = DescMessage | DescField | DescService | DescMethod | DescEnum | DescEnumValue;

// Field numbers of FileDescriptorProto / DescriptorProto / ServiceDescriptorProto (descriptor.proto).
const FILE_MESSAGE_TYPE = 4;
const FILE_ENUM_TYPE = 5;
const FILE_SERVICE = 6;
const MESSAGE_FIELD = 2;
const MESSAGE_NESTED_TYPE = 3;
const MESSAGE_ENUM_TYPE = 4;
const ENUM_VALUE = 2;
const SERVICE_METHOD = 2;
export const OPTIONS_FIELD = { message: 7, field: 8, service: 3, method: 4, file: 8 } as const;

export function pathOf(desc: Element): number[] {
  switch (desc.kind) {
    case "message":
      return desc.parent === undefined
        ? [FILE_MESSAGE_TYPE, desc.file.proto.messageType.indexOf(desc.proto)]
        : [...pathOf(desc.parent), MESSAGE_NESTED_TYPE, desc.parent.proto.nestedType.indexOf(desc.proto)];
    case "field": {
      const parent = desc.parent;
      return [...pathOf(parent), MESSAGE_FIELD, parent.proto.field.indexOf(desc.proto)];
    }
    case "enum":
      return desc.parent === undefined
        ? [FILE_ENUM_TYPE, desc.file.proto.enumType.indexOf(desc.proto)]
        : [...pathOf(desc.parent), MESSAGE_ENUM_TYPE, desc.parent.proto.enumType.indexOf(desc.proto)];
    case "enum_value":
      return [...pathOf(desc.parent), ENUM_VALUE, desc.parent.proto.value.indexOf(desc.proto)];
    case "service":
      return [FILE_SERVICE, desc.file.proto.service.indexOf(desc.proto)];
    case "rpc":
      return [...pathOf(desc.parent), SERVICE_METHOD, desc.parent.proto.method.indexOf(desc.proto)];
  }
}

function fileOf(desc: Element): DescFile {
  switch (desc.kind) {
    case "field":
      return desc.parent.file;
    case "rpc":
      return desc.parent.file;
    case "enum_value":
      return desc.parent.file;
    default:
      return desc.file;
  }
}

// Source locations indexed by path once per file: lookups happen for every element and option.
// The bin passes them pre-read from the request bytes (source-locations.ts) for files whose
// descriptors arrive without SourceCodeInfo.
interface Located {
  readonly line: number;
  readonly comment: string;
}

const locationIndex = new WeakMap<DescFile, Map<string, Located>>();
let preRead: ReadonlyMap<string, Map<string, Located>> | undefined;

/** Runs `fn` with source locations read beforehand, by file name. */
export function withSourceLocations<T>(locations: ReadonlyMap<string, Map<string, Located>> | undefined, fn: () => T): T {
  const outer = preRead;
  preRead = locations;
  try {
    return fn();
  } finally {
    preRead = outer;
  }
}

function locationsOf(file: DescFile): Map<string, Located> {
  let index = locationIndex.get(file);
  if (index === undefined) {
    index = file.proto.sourceCodeInfo === undefined ? preRead?.get(file.proto.name) : undefined;
    if (index === undefined) {
      index = new Map();
      for (const loc of file.proto.sourceCodeInfo?.location ?? []) {
        const key = loc.path.join(".");
        if (loc.span.length > 0 && !index.has(key)) index.set(key, { line: (loc.span[0] ?? -1) + 1, comment: loc.leadingComments ?? "" });
      }
    }
    locationIndex.set(file, index);
  }
  return index;
}

/** 1-based line of the longest recorded prefix of `path` (an option's own line when recorded), or 0. */
export function lineOf(file: DescFile, path: readonly number[]): number {
  const index = locationsOf(file);
  for (let len = path.length; len >= 0; len--) {
    const found = index.get(path.slice(0, len).join("."));
    if (found !== undefined) return found.line;
  }
  return 0;
}

export function sourceOf(desc: Element, optionPath: readonly number[] = []): { file: string; line: number } {
  const file = fileOf(desc);
  return { file: file.proto.name, line: lineOf(file, [...pathOf(desc), ...optionPath]) };
}

export function fileSource(file: DescFile, path: readonly number[]): { file: string; line: number } {
  return { file: file.proto.name, line: lineOf(file, path) };
}

export function leadingComment(desc: Element): string {
  return (locationsOf(fileOf(desc)).get(pathOf(desc).join("."))?.comment ?? "").trim();
}
