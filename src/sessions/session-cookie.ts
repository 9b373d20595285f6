import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { stringifySetCookie } from 'cookie';

/** Express's `Response` and Fastify's `FastifyReply` alike. */
export interface HeaderResponse {
  header(name: string, value: string): unknown;
  /** Express: adds a header line beside those already set. */
  append?(name: string, value: string): unknown;
}

/**
 * Adds a `Set-Cookie` line, keeping any set before (Express's `header()` replaces them;
 * Fastify's adds to them).
 */
export function addSetCookie(response: HeaderResponse, value: string): void {
  if (typeof response.append === 'function') response.append('Set-Cookie', value);
  else response.header('Set-Cookie', value);
}

type CookieOptions = NonNullable<ResolvedOtpOptions['session']['cookie']>;

/** Sets the HttpOnly session cookie (Express and Fastify responses alike). */
export function setSessionCookie(
  response: HeaderResponse,
  cookie: CookieOptions,
  token: string,
  maxAgeMs: number,
): void {
  addSetCookie(
    response,
    stringifySetCookie({
      name: cookie.name,
      value: token,
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      domain: cookie.domain,
      path: cookie.path,
      maxAge: Math.floor(maxAgeMs / 1000),
    }),
  );
}

/** Clears the session cookie. */
export function clearSessionCookie(response: HeaderResponse, cookie: CookieOptions): void {
  addSetCookie(
    response,
    stringifySetCookie({
      name: cookie.name,
      value: '',
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      domain: cookie.domain,
      path: cookie.path,
      maxAge: 0,
    }),
  );
}
