import type { OtpException } from '../errors/otp.exception.js';
import { HttpStatus } from '@nestjs/common';
import { resolveOtpOptions } from '../config/resolve-options.js';
import { PhoneService } from './phone.service.js';

const HEX32 = '0123456789abcdef'.repeat(2);

/** A PhoneService over the module's own option resolution. */
function phoneService(allowedCountries?: string[]): PhoneService {
  return new PhoneService(
    resolveOtpOptions({
      twilio: {
        accountSid: `AC${HEX32}`,
        authToken: 'an-auth-token-of-32-characters!!',
        verifyServiceSid: `VA${HEX32}`,
      },
      mailDomain: 'example.com',
      allowedCountries,
    }),
  );
}

/** What `parse` throws, for assertions on what the client sees; fails the test when it parses. */
function refusal(service: PhoneService, country: unknown, phone: unknown): OtpException {
  try {
    service.parse(country as string, phone as string);
  } catch (error) {
    return error as OtpException;
  }
  throw new Error(`parsed ${String(phone)} for ${String(country)}`);
}

describe('PhoneService', () => {
  describe('parse, every country allowed', () => {
    const phones = phoneService();

    it.each([
      ['GB', '07400 123456', '+447400123456'],
      ['GB', '+44 7400 123456', '+447400123456'],
      ['GB', '+44 (0)7400 123456', '+447400123456'],
      ['GB', '  07400.123.456  ', '+447400123456'],
      ['gb', '07400123456', '+447400123456'],
      ['US', '(201) 555-0123', '+12015550123'],
      ['US', '+1 201-555-0123', '+12015550123'],
      ['FR', '06 12 34 56 78', '+33612345678'],
      ['DE', '0151 23456789', '+4915123456789'],
      ['JP', '090-1234-5678', '+819012345678'],
    ])('reads %s %j as %s', (country, input, e164) => {
      expect(phones.parse(country, input)).toEqual({
        e164,
        country: country.toUpperCase(),
      });
    });

    it('reports the country the number belongs to when the dial code is shared', () => {
      expect(phones.parse('US', '+1 416 555 0123')).toEqual({
        e164: '+14165550123',
        country: 'CA',
      });
      expect(phones.parse('GB', '07624 123456')).toEqual({ e164: '+447624123456', country: 'IM' });
    });

    it('refuses an international number of another dial code than the country chosen', () => {
      const error = refusal(phones, 'GB', '+33 6 12 34 56 78');
      expect(error.code).toBe('INVALID_PHONE_NUMBER');
      expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    });

    it.each([
      ['a UK landline', 'GB', '020 7946 0018'],
      ['a UK freephone number', 'GB', '0800 123 4567'],
      ['a US toll-free number', 'US', '+1 800 555 0123'],
    ])('refuses %s: codes go to mobiles', (_what, country, input) => {
      const error = refusal(phones, country, input);
      expect(error.code).toBe('INVALID_PHONE_NUMBER');
      expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
    });

    it.each([
      ['a number too short', '07400 12345'],
      ['a number too long', '074001234567'],
      ['a number of a range never assigned', '07700 900123'],
      ['a number written with a letter', '07400 12345O'],
      ['a number in words', '0800-FLOWERS'],
      ['a number with an extension', '07400 123456 ext. 12'],
      ['a number with a plus inside', '07400+123456'],
      ['Arabic-Indic digits', '٠٧٤٠٠١٢٣٤٥٦'],
      ['full-width digits', '０７４００１２３４５６'],
      ['an empty string', ''],
      ['a number that is not a string', 7400123456],
      ['a missing number', undefined],
    ])('refuses %s', (_what, input) => {
      const error = refusal(phones, 'GB', input);
      expect(error.code).toBe('INVALID_PHONE_NUMBER');
      expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
      expect(error.message).toMatch(/not a valid mobile number/);
    });

    it.each(['ZZ', '', undefined, 44])('asks for a country when given %p', (country) => {
      const error = refusal(phones, country, '07400 123456');
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
      expect(error.message).toBe('Choose a country.');
    });
  });

  describe('with allowedCountries', () => {
    const phones = phoneService(['gb', 'US']);

    it('parses numbers of an allowed country', () => {
      expect(phones.parse('GB', '07400 123456').e164).toBe('+447400123456');
      expect(phones.parse('us', '(201) 555-0123').e164).toBe('+12015550123');
    });

    it('refuses a country outside the list, before reading the number', () => {
      for (const input of ['06 12 34 56 78', 'not a number']) {
        const error = refusal(phones, 'FR', input);
        expect(error.code).toBe('COUNTRY_NOT_ALLOWED');
        expect(error.getStatus()).toBe(HttpStatus.BAD_REQUEST);
      }
    });

    it('refuses a number of a country outside the list that shares an allowed dial code', () => {
      expect(refusal(phones, 'GB', '07624 123456').code).toBe('COUNTRY_NOT_ALLOWED'); // Isle of Man
      expect(refusal(phones, 'US', '+1 416 555 0123').code).toBe('COUNTRY_NOT_ALLOWED'); // Canada
    });

    it('still checks the number itself in an allowed country', () => {
      expect(refusal(phones, 'GB', '020 7946 0018').code).toBe('INVALID_PHONE_NUMBER');
    });
  });

  describe('isCountryAllowed', () => {
    it('allows every country when no list is given', () => {
      expect(phoneService().isCountryAllowed('FR')).toBe(true);
    });

    it('allows only the listed countries otherwise', () => {
      const phones = phoneService(['GB']);
      expect(phones.isCountryAllowed('GB')).toBe(true);
      expect(phones.isCountryAllowed('FR')).toBe(false);
    });
  });
});
