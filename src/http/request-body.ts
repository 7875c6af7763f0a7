import { TrustedDevicesError } from '../errors.js';
import type { HttpRequest } from './types.js';

/**
 * Reads a request stream into one buffer, failing with `payload_too_large`
 * as soon as it passes `limit` bytes, so an oversized body is never buffered whole.
 * Takes any async iterable of chunks: a Node stream or a Fetch `ReadableStream`.
 */
export async function readBodyWithLimit(
  stream: AsyncIterable<Uint8Array | string>,
  declaredLength: string | undefined,
  limit: number,
): Promise<Uint8Array> {
  if (declaredLength !== undefined && Number(declaredLength) > limit) throw tooLarge(limit);

  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    total += bytes.length;
    if (total > limit) throw tooLarge(limit);
    chunks.push(bytes);
  }
  return concatBytes(chunks, total);
}

/**
 * Reads a body with `readBodyWithLimit` for an adapter. A failure is returned
 * rather than thrown: the route throws it when it parses the body, so the
 * route logs it like any other rejection, after authentication as always.
 */
export function readBody(stream: AsyncIterable<Uint8Array | string>, declaredLength: string | undefined, limit: number): Promise<HttpRequest['body']> {
  return readBodyWithLimit(stream, declaredLength, limit).then(
    (raw) => ({ raw }),
    // Any other stream error means the client closed the connection mid-body, which is bad input, not a server fault.
    (error: unknown) => ({ error: error instanceof TrustedDevicesError ? error : incompleteBody() }),
  );
}

/**
 * Parses a request body as JSON, or as a form like Django REST framework's
 * default parsers. Returns `{}` for an empty body. Throws `invalid`,
 * `payload_too_large` or `unsupported_media_type`.
 */
export function parseBody(request: HttpRequest, limit: number): unknown {
  const body = request.body;
  if (body === undefined) return {};
  if ('error' in body) throw body.error;
  if ('parsed' in body) {
    // A host's own body parser may allow larger bodies than this API does.
    const declared = Number(headerValue(request.headers['content-length']));
    const size = Number.isFinite(declared) ? declared : new TextEncoder().encode(JSON.stringify(body.parsed) ?? '').byteLength;
    if (size > limit) throw tooLarge(limit);
    return body.parsed ?? {};
  }
  if (body.raw.length > limit) throw tooLarge(limit);
  if (body.raw.length === 0) return {};

  const contentType = headerValue(request.headers['content-type'])?.split(';', 1)[0]!.trim().toLowerCase() ?? '';
  const text = new TextDecoder().decode(body.raw);
  if (contentType === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (contentType !== '' && contentType !== 'application/json' && !contentType.endsWith('+json')) {
    throw new TrustedDevicesError('unsupported_media_type', `Unsupported media type "${contentType.slice(0, 100)}". Send application/json.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TrustedDevicesError('invalid', 'The request body is not valid JSON.');
  }
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function incompleteBody(): TrustedDevicesError {
  return new TrustedDevicesError('invalid', 'The request body ended early because the connection closed. Send the whole body.');
}

function tooLarge(limit: number): TrustedDevicesError {
  // The rest of an oversized body is never read, so the connection cannot be reused.
  return new TrustedDevicesError('payload_too_large', `The request body is larger than ${limit} bytes. Send a smaller body.`, {
    headers: { connection: 'close' },
  });
}
