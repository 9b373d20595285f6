import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Masks a phone number for logs: the country calling code and the last four digits stay, the
 * rest becomes `*` (`+12015550123` -> `+1******0123`).
 */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const callingCode = parsePhoneNumberFromString('+' + digits)?.countryCallingCode ?? '';
  const hidden = Math.max(0, digits.length - callingCode.length - 4);
  return '+' + callingCode + '*'.repeat(hidden) + digits.slice(callingCode.length + hidden);
}

/** Makes untrusted text safe for one log line: no control characters (CR/LF), bounded length. */
export function sanitizeForLog(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
}
