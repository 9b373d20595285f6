/**
 * Masks a phone number for logs: country code and last four digits stay, the rest becomes `*`
 * (`+12015550123` -> `+1******0123`).
 */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  if (digits.length <= 5) return '+' + '*'.repeat(digits.length);
  const keepStart = digits.length > 10 ? digits.length - 10 : 1;
  return (
    '+' + digits.slice(0, keepStart) + '*'.repeat(digits.length - keepStart - 4) + digits.slice(-4)
  );
}

/** Makes untrusted text safe for one log line: no control characters (CR/LF), bounded length. */
export function sanitizeForLog(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
}
