/** Request headers as Node.js gives them, on Express and Fastify alike. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** The methods whose requests may carry a body on the module's routes. */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/** Whether a request of `method` with `headers` carries a body. */
export function carriesBody(method: string | undefined, headers: RequestHeaders): boolean {
  if (!BODY_METHODS.has((method ?? '').toUpperCase())) return false;
  const length = headers['content-length'];
  return (
    headers['transfer-encoding'] !== undefined || (typeof length === 'string' && length !== '0')
  );
}

/** Whether the body is declared as `application/json` (with or without parameters). */
export function isJsonContentType(headers: RequestHeaders): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && JSON_CONTENT_TYPE.test(type);
}

/**
 * Why the bytes of a JSON body cannot be checked as they arrive, if they cannot: compressed
 * (`Content-Encoding` other than `identity`) or in a charset other than UTF-8, which RFC 8259
 * requires of JSON exchanged between systems.
 */
export function uncheckableEncoding(headers: RequestHeaders): 'encoded' | 'not-utf-8' | undefined {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') {
    return 'encoded';
  }
  const charset = CHARSET.exec(String(headers['content-type'] ?? ''))?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return 'not-utf-8';
  return undefined;
}

/** The declared length of the body, when it is declared. */
export function declaredLength(headers: RequestHeaders): number | undefined {
  const length = Number(headers['content-length']);
  return Number.isFinite(length) ? length : undefined;
}
