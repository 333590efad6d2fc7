// x.proto with models → x.models.ts: per model a descriptor (fields, columns, keys, indexes,
// codec), key types and a repository class with one finder per index; per file a factory that
// binds every repository to its connection and a migrate step. The logic lives in the runtime.
import { GenerationError, type Diagnostic, type FileIR, type GeneratorPlugin, type ModelIR } from "../../compiler/index.js";
import { printModel } from "./print-model.js";
import { printFileFactory } from "./print-factory.js";
import { parseDefault } from "./defaults.js";

export const modelPlugin: GeneratorPlugin = {
  name: "model",
  generate(schema, sink) {
    const problems = schema.files.flatMap(checkFile);
    if (problems.length > 0) throw new GenerationError(problems);
    for (const file of schema.files) {
      if (file.models.length === 0) continue;
      const out = sink.newFile(`${file.modulePath}.models.ts`, file.name);
      for (const model of file.models) printModel(out, sink, model);
      printFileFactory(out, sink, file);
    }
  },
};

// What the compiler accepts but a repository cannot serve, or a default that does not parse.
function checkFile(file: FileIR): Diagnostic[] {
  return file.models.flatMap((model) => [
    // Replicas of redis_ha never talk to each other, so only merge-on-read types are safe there.
    ...(model.connection.kind === "redis_ha"
      ? [diagnostic(model, "(rony.model).connection", `models are not supported on redis_ha: use its CRDTs (connection "${model.connection.name}")`)]
      : []),
    ...(model.singleton && model.indexes.length > 0
      ? [diagnostic(model, "(rony.model).indexes", "a singleton model has one record and no indexes; remove indexes and (rony.field).index")]
      : []),
    ...model.message.fields.flatMap((field): Diagnostic[] => {
      try {
        parseDefault(field);
        return [];
      } catch (err) {
        return [{ file: field.source.file, line: field.source.line, element: `field ${model.message.fullName}.${field.name}`, option: "(rony.field).default", message: (err as Error).message }];
      }
    }),
  ]);
}

function diagnostic(model: ModelIR, option: string, message: string): Diagnostic {
  return { file: model.source.file, line: model.source.line, element: `message ${model.message.fullName}`, option, message };
}
