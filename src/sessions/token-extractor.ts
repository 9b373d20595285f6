import { parseCookie } from 'cookie';
import type { OtpRequest } from './session-request.interface.js';

/** The session token of a request: `Authorization: Bearer <token>`, else the session cookie. */
export function extractSessionToken(request: OtpRequest, cookieName?: string): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const [scheme, token] = authorization.split(' ');
    if (scheme?.toLowerCase() === 'bearer' && token) return token.trim();
  }
  const cookies = request.headers.cookie;
  if (cookieName && typeof cookies === 'string') {
    return parseCookie(cookies)[cookieName];
  }
  return undefined;
}
