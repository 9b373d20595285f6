import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { parseCookie, stringifySetCookie } from 'cookie';
import { addSetCookie, type HeaderResponse } from '../sessions/session-cookie.js';

/**
 * The device token a request carries in cookie mode: the trusted-device cookie, beside the
 * session cookie and with its attributes. `undefined` without cookie mode or cookie.
 */
export function deviceTokenFromCookie(
  cookieHeader: unknown,
  options: ResolvedOtpOptions,
): string | undefined {
  const { cookie } = options.session;
  const devices = options.trustedDevices;
  if (!cookie || !devices || typeof cookieHeader !== 'string') return undefined;
  return parseCookie(cookieHeader)[devices.cookieName] || undefined;
}

/** Sets the HttpOnly trusted-device cookie, in cookie mode; nothing otherwise. */
export function setDeviceCookie(
  response: HeaderResponse,
  options: ResolvedOtpOptions,
  token: string,
): void {
  const { cookie } = options.session;
  const devices = options.trustedDevices;
  if (!cookie || !devices) return;
  addSetCookie(
    response,
    stringifySetCookie({
      name: devices.cookieName,
      value: token,
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      domain: cookie.domain,
      path: cookie.path,
      maxAge: Math.floor(devices.ttlMs / 1000),
    }),
  );
}
