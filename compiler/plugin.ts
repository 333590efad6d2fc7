// The interface between the host and generator plugins: the IR in, files out.
import type { GeneratedFile } from "./generated-file.js";
import type { SchemaIR } from "./ir.js";
import type { PluginParameters } from "./parameters.js";

export interface FileSink {
  readonly params: PluginParameters;
  /** A new output file (path relative to the out dir); the header is written for you. */
  newFile(name: string, sourceProto: string): GeneratedFile;
  /** An output file that is not TypeScript (an OpenAPI document), written as given. */
  writeText(name: string, content: string): void;
}

export interface GeneratorPlugin {
  /** Short name, used in messages ("service", "model-mysql"). */
  readonly name: string;
  generate(schema: SchemaIR, out: FileSink): void;
}
