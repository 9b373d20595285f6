/** Stable, machine-readable error codes carried by every error body (`code`). */
export const OtpErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_PHONE_NUMBER: 'INVALID_PHONE_NUMBER',
  COUNTRY_NOT_ALLOWED: 'COUNTRY_NOT_ALLOWED',
  CHANNEL_NOT_ALLOWED: 'CHANNEL_NOT_ALLOWED',
  INVALID_CODE: 'INVALID_CODE',
  CODE_EXPIRED: 'CODE_EXPIRED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  ALREADY_REGISTERED: 'ALREADY_REGISTERED',
  APPROVAL_PENDING: 'APPROVAL_PENDING',
  MEMBER_BLOCKED: 'MEMBER_BLOCKED',
  PASSWORD_REQUIRED: 'PASSWORD_REQUIRED',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  DELIVERY_REFUSED: 'DELIVERY_REFUSED',
  PROVIDER_UNAVAILABLE: 'PROVIDER_UNAVAILABLE',
  PROVIDER_MISCONFIGURED: 'PROVIDER_MISCONFIGURED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A store the module needs (the database, the shared rate-limit storage) is briefly unreachable. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  CSRF_CHECK_FAILED: 'CSRF_CHECK_FAILED',
  /** A passkey's attestation or assertion was refused (origin, rpId, signature, user verification, counter). */
  PASSKEY_INVALID: 'PASSKEY_INVALID',
  /** A passkey ceremony's challenge expired, was used, or belongs to another ceremony or session. */
  CHALLENGE_EXPIRED: 'CHALLENGE_EXPIRED',
  /** A sensitive action needs a code checked more recently in this session. */
  REVERIFICATION_REQUIRED: 'REVERIFICATION_REQUIRED',
  /** A host's guard (e.g. `admin.guard`) refused the request. */
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** A host's guard, pipe or interceptor refused the request with a 4xx status of its own. */
  REQUEST_REFUSED: 'REQUEST_REFUSED',
  /** An email at the domain reserved for passwordless members' placeholder addresses. */
  EMAIL_NOT_ALLOWED: 'EMAIL_NOT_ALLOWED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export type OtpErrorCode = (typeof OtpErrorCode)[keyof typeof OtpErrorCode];
