import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A phone number as a visitor types it, and its E.164 form. */
export interface BenchPhone {
  /** `(201) 555-0123`, with country `US`. */
  national: string;
  e164: string;
}

const MOBILE_CAPABLE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'PERSONAL_NUMBER']);

let cache: BenchPhone[] | undefined;

/**
 * Every US number of the fictional 555-0100 to 555-0199 range, in every area code, that the
 * module accepts (valid and mobile-capable for libphonenumber's full metadata): about 37,000.
 * Ordered so that neighbours differ in area code.
 */
export function benchPhones(): BenchPhone[] {
  if (cache) return cache;
  const phones: BenchPhone[] = [];
  for (let line = 100; line <= 199; line += 1) {
    for (let area = 201; area <= 989; area += 1) {
      const national = `(${area}) 555-0${line}`;
      const parsed = parsePhoneNumberFromString(national, 'US');
      if (
        parsed?.isValid() &&
        parsed.country === 'US' &&
        MOBILE_CAPABLE.has(parsed.getType() ?? '')
      ) {
        phones.push({ national, e164: parsed.number });
      }
    }
  }
  cache = phones;
  return phones;
}

/** Hands out numbers from a slice of {@link benchPhones}, each once. */
export class PhonePool {
  private next: number;

  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    this.next = from;
  }

  /** The next `count` unused numbers. */
  take(count: number): BenchPhone[] {
    if (this.next + count > this.to) {
      throw new Error(`phone pool ${this.from}..${this.to} exhausted`);
    }
    const phones = benchPhones().slice(this.next, this.next + count);
    this.next += count;
    return phones;
  }
}
