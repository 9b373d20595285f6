/* global fetch */
/**
 * Requests to the module and the sample. Every request sends `X-Requested-With`, which the module
 * requires of state-changing requests signed in by the cookie (CSRF protection), and every body is
 * JSON.
 */

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body.message || `The server answered ${status}. Try again.`);
    this.status = status;
    this.code = body.code;
    this.retryAfter = retryAfter;
  }
}

export async function api(method, path, body, headers = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'X-Requested-With': 'fetch',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      message: 'The server cannot be reached. Check your connection and try again.',
    });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After')) || undefined;
    throw new ApiError(response.status, data ?? {}, retryAfter);
  }
  return data;
}
