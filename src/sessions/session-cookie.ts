import { stringifySetCookie } from 'cookie';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';

/** Express's `Response` and Fastify's `FastifyReply` alike. */
export interface HeaderResponse {
  header(name: string, value: string): unknown;
}

type CookieOptions = NonNullable<ResolvedOtpOptions['session']['cookie']>;

/** Sets the HttpOnly session cookie (Express and Fastify responses alike). */
export function setSessionCookie(
  response: HeaderResponse,
  cookie: CookieOptions,
  token: string,
  maxAgeMs: number,
): void {
  response.header(
    'Set-Cookie',
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
  response.header(
    'Set-Cookie',
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
