import { mapTwilioError } from './twilio-error.mapper.js';

const rest = (status: number, code: number) => Object.assign(new Error('x'), { status, code });

describe('mapTwilioError', () => {
  it.each([
    [rest(400, 60200), false, 400, 'INVALID_PHONE_NUMBER'],
    [rest(429, 60202), true, 429, 'TOO_MANY_REQUESTS'],
    [rest(429, 60203), false, 429, 'TOO_MANY_REQUESTS'],
    [rest(429, 60212), false, 429, 'TOO_MANY_REQUESTS'],
    [rest(429, 20429), false, 429, 'TOO_MANY_REQUESTS'],
    [rest(404, 20404), true, 401, 'CODE_EXPIRED'],
    [rest(404, 20404), false, 500, 'PROVIDER_MISCONFIGURED'],
    [rest(400, 60205), false, 422, 'DELIVERY_REFUSED'],
    [rest(403, 60605), false, 422, 'DELIVERY_REFUSED'],
    [rest(403, 60410), false, 422, 'DELIVERY_REFUSED'],
    [rest(400, 60223), false, 422, 'DELIVERY_REFUSED'],
    [rest(401, 20003), false, 500, 'PROVIDER_MISCONFIGURED'],
    [rest(503, 20503), false, 503, 'PROVIDER_UNAVAILABLE'],
    [
      Object.assign(new Error('timeout'), { code: 'ECONNABORTED' }),
      false,
      503,
      'PROVIDER_UNAVAILABLE',
    ],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true, 503, 'PROVIDER_UNAVAILABLE'],
    ['weird', false, 503, 'PROVIDER_UNAVAILABLE'],
  ])('%o (check: %s) -> %s %s', (error, onCheck, status, code) => {
    const mapped = mapTwilioError(error, onCheck);
    expect(mapped.getStatus()).toBe(status);
    expect(mapped.code).toBe(code);
    if (status === 429 || status === 503) expect(mapped.retryAfterSeconds).toBeGreaterThan(0);
  });
});
