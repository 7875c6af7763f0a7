import { createRequire } from 'node:module';

import type { RecordedResponse } from './http-client.js';

interface CompiledSchema {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}

interface JsonSchemaValidator {
  compile(schema: object): CompiledSchema;
}

/**
 * Loads Ajv 8 with the JSON Schema 2020-12 dialect of OpenAPI 3.1. Ajv is
 * not a dependency of this package, so it is resolved through Fastify's own
 * `@fastify/ajv-compiler`, which depends on ajv 8 and ajv-formats. The
 * top-level `ajv` in node_modules is ajv 6, from ESLint.
 */
export function loadAjv2020(): JsonSchemaValidator {
  const fromTests = createRequire(import.meta.url);
  const fromFastify = createRequire(fromTests.resolve('fastify'));
  const fromCompiler = createRequire(fromFastify.resolve('@fastify/ajv-compiler'));
  const Ajv2020 = (fromCompiler('ajv/dist/2020') as { default: new (options: object) => JsonSchemaValidator }).default;
  const addFormats = (fromCompiler('ajv-formats') as { default: (ajv: JsonSchemaValidator) => void }).default;

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

type Operation = { responses: Record<string, { content?: Record<string, { schema: object }> }> };
type PathItem = Record<string, Operation>;
interface Document {
  paths: Record<string, PathItem>;
  components: { schemas: { Error: object }; responses: { MethodNotAllowed: { content: Record<string, { schema: object }> } } };
}

/** The outcome of checking one response: `checked` is false for paths the document does not cover. */
export interface ConformanceResult {
  checked: boolean;
  problem?: string;
}

/** Checks recorded responses against the response schema the OpenAPI document gives for their route and status. */
export class OpenApiConformance {
  readonly #paths: { pattern: RegExp; item: PathItem }[];
  readonly #methodNotAllowed: CompiledSchema;
  readonly #anyError: CompiledSchema;
  readonly #ajv = loadAjv2020();
  readonly #compiled = new Map<object, CompiledSchema>();

  constructor(document: unknown) {
    const typed = document as Document;
    this.#paths = Object.entries(typed.paths).map(([template, item]) => ({ pattern: templatePattern(template), item }));
    this.#methodNotAllowed = this.#compile(typed.components.responses.MethodNotAllowed.content['application/json']!.schema);
    this.#anyError = this.#compile(typed.components.schemas.Error);
  }

  check(record: RecordedResponse): ConformanceResult {
    const path = record.path.split('?', 1)[0]!;
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const item = this.#paths.find(({ pattern }) => pattern.test(trimmed))?.item;
    if (item === undefined) return { checked: false };

    const label = `${record.method} ${record.path} → ${record.status}`;
    const method = record.method.toLowerCase();
    const operation = item[method === 'head' ? 'get' : method];
    if (operation === undefined) {
      // A malformed path is rejected before the method is looked at.
      if (record.status === 400 && (record.body as { code?: unknown } | undefined)?.code === 'invalid') {
        return this.#validate(label, record, this.#anyError, method === 'head');
      }
      if (record.status !== 405) return { checked: true, problem: `${label}: expected 405 for a method the path lacks` };
      return this.#validate(label, record, this.#methodNotAllowed, method === 'head');
    }

    const response = operation.responses[String(record.status)];
    if (response === undefined) return { checked: true, problem: `${label}: status not documented` };
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      return record.text === '' ? { checked: true } : { checked: true, problem: `${label}: documented without a body, got ${record.text.slice(0, 200)}` };
    }
    return this.#validate(label, record, this.#compile(schema), method === 'head');
  }

  #validate(label: string, record: RecordedResponse, validate: CompiledSchema, isHead: boolean): ConformanceResult {
    if (isHead) return { checked: true };
    if (validate(record.body)) return { checked: true };
    const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
    return { checked: true, problem: `${label}: ${errors} in ${record.text.slice(0, 300)}` };
  }

  #compile(schema: object): CompiledSchema {
    let compiled = this.#compiled.get(schema);
    if (compiled === undefined) {
      compiled = this.#ajv.compile(schema);
      this.#compiled.set(schema, compiled);
    }
    return compiled;
  }
}

/** `/trusted-devices/{device_uid}` matches `/trusted-devices/` followed by one segment. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}
