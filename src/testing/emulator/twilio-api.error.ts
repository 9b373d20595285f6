/** A Twilio error answer: HTTP status, Twilio error code and message. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** 401 20003: the request's credentials are missing or wrong. */
export function unauthorized(): TwilioApiError {
  return new TwilioApiError(401, 20003, 'Authenticate');
}

/** 400 20001: a required parameter is missing or empty. */
export function missingParam(name: string): TwilioApiError {
  return new TwilioApiError(400, 20001, `Missing required parameter ${name} in the post body`);
}

/** 400 60200: a parameter's value is not one Twilio accepts. */
export function invalidParam(name: string, value: string): TwilioApiError {
  return new TwilioApiError(400, 60200, `Invalid parameter \`${name}\`: ${value}`);
}

/** 404 20404 for `path` (`/v2/Services/…`; the message names it without `/v2`). */
export function notFound(path: string): TwilioApiError {
  const resource = path.replace(/^\/v2(?=\/)/, '');
  return new TwilioApiError(404, 20404, `The requested resource ${resource} was not found`);
}

/** 405 20004: the resource does not take this method. */
export function methodNotAllowed(): TwilioApiError {
  return new TwilioApiError(405, 20004, 'Method not allowed');
}

/** 400 60223: the channel is turned off in the Verify service's settings. */
export function channelDisabled(): TwilioApiError {
  return new TwilioApiError(400, 60223, 'Delivery channel disabled');
}

/** 429 60202: the number's verification used up its checks. */
export function maxCheckAttempts(): TwilioApiError {
  return new TwilioApiError(429, 60202, 'Max check attempts reached');
}

/** 429 60203: the number used up its sends for the window. */
export function maxSendAttempts(): TwilioApiError {
  return new TwilioApiError(429, 60203, 'Max send attempts reached');
}

/** 429 20429: a status fetch limit is used up (code and message of Twilio's OpenAPI example). */
export function tooManyRequests(): TwilioApiError {
  return new TwilioApiError(429, 20429, 'Too many requests');
}

/** 500 20500: the emulator itself failed on `error`. */
export function internalError(error: unknown): TwilioApiError {
  return new TwilioApiError(500, 20500, `Internal Server Error: ${String(error)}`);
}
