import { z } from 'zod';

import { ERROR_STATUS, type ErrorCode } from '../errors.js';
import { errorBodySchema } from './response-schemas.js';
import type { RouteOperation } from './routes.js';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as a plain object. */
export type JsonSchema = Record<string, unknown>;

/**
 * Converts a zod schema to JSON Schema: `input` for request bodies, which
 * accept and drop unknown fields, `output` for responses, which are strict.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonSchema;
  return rest;
}

/** The error codes of an operation by status, in the registry's order. */
export function errorCodesByStatus(codes: readonly ErrorCode[]): Map<number, [ErrorCode, ...ErrorCode[]]> {
  const byStatus = new Map<number, [ErrorCode, ...ErrorCode[]]>();
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    if (!codes.includes(code)) continue;
    const status = ERROR_STATUS[code];
    const list = byStatus.get(status);
    if (list === undefined) byStatus.set(status, [code]);
    else list.push(code);
  }
  return byStatus;
}

/** Response body schemas of an operation by status; a 204 has none. */
export function responseJsonSchemas(operation: RouteOperation): Map<number, JsonSchema> {
  const schemas = new Map<number, JsonSchema>();
  if (operation.success.schema !== undefined) schemas.set(operation.success.status, toJsonSchema(operation.success.schema, 'output'));
  for (const [status, codes] of errorCodesByStatus(operation.errorCodes)) {
    schemas.set(status, toJsonSchema(errorBodySchema(codes), 'output'));
  }
  return schemas;
}
