import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { OtpErrorCode } from '../../errors/otp-error-code.js';
import { OtpException } from '../../errors/otp.exception.js';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function malformed(field: string): OtpException {
  return new OtpException(OtpErrorCode.VALIDATION_FAILED, {
    message: `${field} must be the passkey response as the browser gives it`,
  });
}

/** A base64url string of 1 to `max` characters, or a refusal naming `field`. */
function base64url(value: unknown, field: string, max: number): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    !BASE64URL.test(value)
  ) {
    throw malformed(field);
  }
  return value;
}

/** What both kinds of response share: the credential id, its type and the client data. */
function common(value: unknown, field: string): { root: Json; inner: Json } {
  if (!isObject(value)) throw malformed(field);
  const id = base64url(value.id, `${field}.id`, 1400);
  if (value.rawId !== id) throw malformed(`${field}.rawId`);
  if (value.type !== 'public-key') throw malformed(`${field}.type`);
  if (value.clientExtensionResults !== undefined && !isObject(value.clientExtensionResults)) {
    throw malformed(`${field}.clientExtensionResults`);
  }
  const inner = value.response;
  if (!isObject(inner)) throw malformed(`${field}.response`);
  base64url(inner.clientDataJSON, `${field}.response.clientDataJSON`, 4096);
  return { root: value, inner };
}

/**
 * The browser's answer to registration options, checked for shape and size before anything
 * reads it (`startRegistration()` of `@simplewebauthn/browser` gives it); a malformed or
 * oversized one is a 400 `VALIDATION_FAILED`.
 */
export function asRegistrationResponse(
  value: unknown,
  field = 'response',
): RegistrationResponseJSON {
  const { root, inner } = common(value, field);
  base64url(inner.attestationObject, `${field}.response.attestationObject`, 16_384);
  const transports = inner.transports;
  if (
    transports !== undefined &&
    (!Array.isArray(transports) ||
      transports.length > 8 ||
      !transports.every((t) => typeof t === 'string' && TRANSPORTS.has(t)))
  ) {
    throw malformed(`${field}.response.transports`);
  }
  return {
    ...root,
    clientExtensionResults: root.clientExtensionResults ?? {},
  } as unknown as RegistrationResponseJSON;
}

/** The browser's answer to authentication options (`startAuthentication()`), checked alike. */
export function asAuthenticationResponse(
  value: unknown,
  field = 'response',
): AuthenticationResponseJSON {
  const { root, inner } = common(value, field);
  base64url(inner.authenticatorData, `${field}.response.authenticatorData`, 4096);
  base64url(inner.signature, `${field}.response.signature`, 1024);
  if (inner.userHandle !== undefined && inner.userHandle !== null) {
    base64url(inner.userHandle, `${field}.response.userHandle`, 100);
  }
  const response = { ...inner, userHandle: inner.userHandle ?? undefined };
  return {
    ...root,
    response,
    clientExtensionResults: root.clientExtensionResults ?? {},
  } as unknown as AuthenticationResponseJSON;
}
