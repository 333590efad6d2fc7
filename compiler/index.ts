export { generate, generateFromBytes, buildSchema, type WarningSink } from "./host.js";
export type { GeneratorPlugin, FileSink } from "./plugin.js";
export { GeneratedFile, importSymbol, relativeModule, type ImportSymbol, type Printable } from "./generated-file.js";
export { GenerationError, ParameterError, formatDiagnostic, type Diagnostic } from "./diagnostics.js";
export { constructorId, formatConstructorId } from "./constructor-id.js";
export { safeIdentifier, safeMember, camelCase, pascalCase, snakeCase, lowerFirst, upperFirst, quote } from "./naming.js";
export type * from "./ir.js";
export type { PluginParameters } from "./parameters.js";
