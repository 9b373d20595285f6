import { parseCookie } from 'cookie';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import type { OtpRequest } from './session-request.interface.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = 'bearer ';

/** Whether an Authorization header uses the Bearer scheme (any case, RFC 9110). */
function isBearer(authorization: string): boolean {
  return (
    authorization.length > BEARER.length &&
    authorization.slice(0, BEARER.length).toLowerCase() === BEARER
  );
}

/**
 * The session token of a request: `Authorization: Bearer <token>`, else the session cookie when
 * cookie mode is on. A state-changing request signed in by the cookie must carry the CSRF header;
 * otherwise this throws 403 `CSRF_CHECK_FAILED`.
 */
export function extractSessionToken(
  request: OtpRequest,
  cookie: ResolvedOtpOptions['session']['cookie'],
): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && isBearer(authorization)) {
    const token = authorization.slice(BEARER.length).trim();
    if (token) return token;
  }
  const cookies = request.headers.cookie;
  if (!cookie || typeof cookies !== 'string') return undefined;
  const token = parseCookie(cookies)[cookie.name];
  if (token && !SAFE_METHODS.has((request.method ?? 'GET').toUpperCase())) {
    const header = request.headers[cookie.csrfHeader];
    if (typeof header !== 'string' || header === '') {
      throw new OtpException(OtpErrorCode.CSRF_CHECK_FAILED, {
        message: `A request signed in by cookie must carry the ${cookie.csrfHeader} header.`,
      });
    }
  }
  return token;
}
