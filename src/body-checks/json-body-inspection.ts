import type { JsonBodyProblem } from './json-body-scanner.js';
import { declaredLength, type RequestHeaders, uncheckableEncoding } from './json-request.util.js';

/**
 * The most a body of the module's routes may weigh: Nest's default JSON limit (100 kB). The
 * module's bodies are a few hundred bytes; a host's lower limit still applies first.
 */
export const MAX_JSON_BODY_BYTES = 100 * 1024;

/**
 * What the inspection of a request's raw JSON body found: `clean`, a problem of the text, a body
 * over `MAX_JSON_BODY_BYTES`, or an encoding whose bytes cannot be checked.
 */
export type JsonBodyInspection = 'clean' | JsonBodyProblem | 'too-large' | 'encoded' | 'not-utf-8';

const inspections = new WeakMap<object, JsonBodyInspection>();

/** Records what the inspection of a request (the Node.js request) found. */
export function recordInspection(request: object, inspection: JsonBodyInspection): void {
  inspections.set(request, inspection);
}

/**
 * The inspection of the body of `request` (as a guard sees it: Express's request, or Fastify's
 * request wrapping the Node.js one), or `undefined` when its raw body was not inspected.
 */
export function inspectionOf(request: object): JsonBodyInspection | undefined {
  return inspections.get((request as { raw?: object }).raw ?? request);
}

/** What the headers alone tell: a body that cannot be checked, or one declared over `limit`. */
export function inspectHeaders(
  headers: RequestHeaders,
  limit: number,
): JsonBodyInspection | undefined {
  const encoding = uncheckableEncoding(headers);
  if (encoding !== undefined) return encoding;
  const length = declaredLength(headers);
  return length !== undefined && length > limit ? 'too-large' : undefined;
}

/**
 * Whether a path leads under the module's routes: it holds `/<prefix>/`, case aside (Express
 * matches paths without case by default); every path does with the empty prefix.
 */
export function pathMatcher(prefix: string | false): (path: string) => boolean {
  if (prefix === false) return () => false;
  if (prefix === '') return () => true;
  const segments = `/${prefix.toLowerCase()}/`;
  return (path) => `${path.split('?')[0].toLowerCase()}/`.includes(segments);
}

export function decodedPath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
