import type { OtpException } from '../errors/otp.exception.js';
import type { SessionCookieOptions } from '../config/otp-options.interface.js';
import type { OtpRequest } from './session-request.interface.js';
import { HttpStatus } from '@nestjs/common';
import { resolveOtpOptions } from '../config/resolve-options.js';
import { extractSessionToken } from './token-extractor.js';

const HEX32 = '0123456789abcdef'.repeat(2);
const TOKEN = 'Vq3cX0mXn2b5o8kq1T3yV6u9wZ2cE5hK8nQ1tW4zA7d';

/** The resolved cookie options for `cookie` (`undefined`: cookie mode off). */
function cookieOptions(cookie?: SessionCookieOptions) {
  return resolveOtpOptions({
    twilio: {
      accountSid: `AC${HEX32}`,
      authToken: 'an-auth-token-of-32-characters!!',
      verifyServiceSid: `VA${HEX32}`,
    },
    mailDomain: 'example.com',
    session: { cookie },
  }).session.cookie;
}

function request(headers: OtpRequest['headers'], method?: string): OtpRequest {
  return { headers, method };
}

/** What extraction throws; fails the test when it throws nothing. */
function refusal(req: OtpRequest, cookie = cookieOptions({})): OtpException {
  try {
    extractSessionToken(req, cookie);
  } catch (error) {
    return error as OtpException;
  }
  throw new Error('no refusal');
}

describe('extractSessionToken', () => {
  describe('Authorization: Bearer', () => {
    it('reads the token', () => {
      expect(extractSessionToken(request({ authorization: `Bearer ${TOKEN}` }), undefined)).toBe(
        TOKEN,
      );
    });

    it.each(['bearer', 'BEARER', 'BeArEr'])('takes the scheme in any case (%s)', (scheme) => {
      const req = request({ authorization: `${scheme} ${TOKEN}` });
      expect(extractSessionToken(req, undefined)).toBe(TOKEN);
    });

    it('trims the space around the token', () => {
      const req = request({ authorization: `Bearer    ${TOKEN}  ` });
      expect(extractSessionToken(req, undefined)).toBe(TOKEN);
    });

    it.each([
      ['another scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['a scheme with no space after it', `Bearer${TOKEN}`],
      ['a bare token', TOKEN],
      ['the scheme alone', 'Bearer'],
      ['the scheme and blanks', 'Bearer    '],
    ])('finds no token in %s', (_what, authorization) => {
      expect(extractSessionToken(request({ authorization }), undefined)).toBeUndefined();
    });

    it('finds no token in a request without headers of interest', () => {
      expect(extractSessionToken(request({}), cookieOptions({}))).toBeUndefined();
    });
  });

  describe('the session cookie', () => {
    it('is ignored when cookie mode is off', () => {
      const req = request({ cookie: `otp_session=${TOKEN}` });
      expect(extractSessionToken(req, undefined)).toBeUndefined();
    });

    it('is read by its name among other cookies', () => {
      const req = request({ cookie: `theme=dark; otp_session=${TOKEN}; lang=en` });
      expect(extractSessionToken(req, cookieOptions({}))).toBe(TOKEN);
    });

    it('is read under the name configured', () => {
      const cookie = cookieOptions({ name: 'sid' });
      expect(extractSessionToken(request({ cookie: `otp_session=${TOKEN}` }), cookie)).toBe(
        undefined,
      );
      expect(extractSessionToken(request({ cookie: `sid=${TOKEN}` }), cookie)).toBe(TOKEN);
    });

    it('keeps the first of two cookies of the same name (the browser sends the most specific first)', () => {
      const req = request({ cookie: `otp_session=${TOKEN}; otp_session=other` });
      expect(extractSessionToken(req, cookieOptions({}))).toBe(TOKEN);
    });

    it('is a fallback when the Authorization header holds no bearer token', () => {
      const req = request({ authorization: 'Bearer  ', cookie: `otp_session=${TOKEN}` });
      expect(extractSessionToken(req, cookieOptions({}))).toBe(TOKEN);
    });

    it('loses to a bearer token, which needs no CSRF header', () => {
      const req = request(
        { authorization: 'Bearer from-header', cookie: `otp_session=${TOKEN}` },
        'POST',
      );
      expect(extractSessionToken(req, cookieOptions({}))).toBe('from-header');
    });
  });

  describe('CSRF check of requests signed in by cookie', () => {
    const cookie = `otp_session=${TOKEN}`;

    it.each(['GET', 'HEAD', 'OPTIONS', 'get', undefined])(
      'lets a safe method (%p) through without the header',
      (method) => {
        expect(extractSessionToken(request({ cookie }, method), cookieOptions({}))).toBe(TOKEN);
      },
    );

    it.each(['POST', 'PUT', 'PATCH', 'DELETE', 'post'])(
      'refuses %s without the header, with 403 CSRF_CHECK_FAILED',
      (method) => {
        const error = refusal(request({ cookie }, method));
        expect(error.code).toBe('CSRF_CHECK_FAILED');
        expect(error.getStatus()).toBe(HttpStatus.FORBIDDEN);
        expect(error.message).toBe(
          'A request signed in by cookie must carry the x-requested-with header.',
        );
      },
    );

    it('accepts the header with any non-empty value', () => {
      const req = request({ cookie, 'x-requested-with': '1' }, 'POST');
      expect(extractSessionToken(req, cookieOptions({}))).toBe(TOKEN);
    });

    it('refuses the header sent empty', () => {
      const error = refusal(request({ cookie, 'x-requested-with': '' }, 'POST'));
      expect(error.code).toBe('CSRF_CHECK_FAILED');
    });

    it('demands the header configured, and names it', () => {
      const options = cookieOptions({ csrfHeader: 'X-CSRF-Token' });
      const error = refusal(request({ cookie, 'x-requested-with': '1' }, 'POST'), options);
      expect(error.message).toContain('x-csrf-token');
      const req = request({ cookie, 'x-csrf-token': 'yes' }, 'POST');
      expect(extractSessionToken(req, options)).toBe(TOKEN);
    });

    it('demands nothing of a request that carries no session cookie', () => {
      const req = request({ cookie: 'theme=dark' }, 'POST');
      expect(extractSessionToken(req, cookieOptions({}))).toBeUndefined();
    });
  });
});
