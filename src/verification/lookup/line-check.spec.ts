import { OtpException } from '../../errors/otp.exception.js';
import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { LineCheck } from './line-check.js';
import type { LineFacts, LookupField, PhoneLookup } from './phone-lookup.interface.js';

type Policy = NonNullable<ResolvedOtpOptions['lookup']>;

const POLICY: Policy = {
  allowedLineTypes: new Set(['mobile', 'personal']),
  maxSmsPumpingRisk: undefined,
  channels: new Set(['sms', 'call']),
  whenUnavailable: 'send',
  cacheTtlMs: 60_000,
  cacheSize: 3,
};

/** A Lookup that answers from a table and records what it was asked. */
class FakeLookup implements PhoneLookup {
  readonly asked: { e164: string; fields: readonly LookupField[] }[] = [];
  failure?: Error;
  constructor(private readonly answers: Record<string, Partial<LineFacts>> = {}) {}
  async fetch(e164: string, fields: readonly LookupField[]): Promise<LineFacts> {
    this.asked.push({ e164, fields });
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
    return {
      lineType: 'mobile',
      smsPumpingRiskScore: null,
      numberBlocked: null,
      ...this.answers[e164],
    };
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof OtpException ? error.code : String(error);
  }
}

describe('LineCheck', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('asks only for the packages the options name', async () => {
    const lookup = new FakeLookup();
    await new LineCheck(POLICY, lookup, now).assertDeliverable('+12015550100');
    await new LineCheck(
      { ...POLICY, allowedLineTypes: undefined, maxSmsPumpingRisk: 50 },
      lookup,
      now,
    ).assertDeliverable('+12015550101');
    await new LineCheck({ ...POLICY, maxSmsPumpingRisk: 50 }, lookup, now).assertDeliverable(
      '+12015550102',
    );
    expect(lookup.asked.map((a) => a.fields)).toEqual([
      ['line_type_intelligence'],
      ['sms_pumping_risk'],
      ['line_type_intelligence', 'sms_pumping_risk'],
    ]);
  });

  it('refuses line types outside the list and lets a number without a type through', async () => {
    const lookup = new FakeLookup({
      '+1000': { lineType: 'nonFixedVoip' },
      '+1001': { lineType: 'landline' },
      '+1002': { lineType: 'personal' },
      '+1003': { lineType: null },
    });
    const check = new LineCheck({ ...POLICY, cacheSize: 10 }, lookup, now);
    expect(await codeOf(check.assertDeliverable('+1000'))).toBe('DELIVERY_REFUSED');
    expect(await codeOf(check.assertDeliverable('+1001'))).toBe('DELIVERY_REFUSED');
    expect(await codeOf(check.assertDeliverable('+1002'))).toBeUndefined();
    expect(await codeOf(check.assertDeliverable('+1003'))).toBeUndefined();
  });

  it('refuses a pumping risk above the maximum, and numbers Twilio blocks', async () => {
    const lookup = new FakeLookup({
      '+2000': { smsPumpingRiskScore: 61 },
      '+2001': { smsPumpingRiskScore: 60 },
      '+2002': { smsPumpingRiskScore: 5, numberBlocked: true },
    });
    const check = new LineCheck({ ...POLICY, maxSmsPumpingRisk: 60, cacheSize: 10 }, lookup, now);
    expect(await codeOf(check.assertDeliverable('+2000'))).toBe('DELIVERY_REFUSED');
    expect(await codeOf(check.assertDeliverable('+2001'))).toBeUndefined();
    expect(await codeOf(check.assertDeliverable('+2002'))).toBe('DELIVERY_REFUSED');
  });

  it('keeps verdicts, refusals too, until the TTL passes', async () => {
    const lookup = new FakeLookup({ '+3000': { lineType: 'fixedVoip' } });
    const check = new LineCheck(POLICY, lookup, now);
    expect(await codeOf(check.assertDeliverable('+3000'))).toBe('DELIVERY_REFUSED');
    expect(await codeOf(check.assertDeliverable('+3000'))).toBe('DELIVERY_REFUSED');
    await check.assertDeliverable('+3001');
    await check.assertDeliverable('+3001');
    expect(lookup.asked).toHaveLength(2);
    clock += 59_999;
    await check.assertDeliverable('+3001');
    expect(lookup.asked).toHaveLength(2);
    clock += 1;
    await check.assertDeliverable('+3001');
    expect(lookup.asked).toHaveLength(3);
  });

  it('holds at most cacheSize numbers, dropping the least recently used', async () => {
    const lookup = new FakeLookup();
    const check = new LineCheck(POLICY, lookup, now);
    for (const n of ['+4001', '+4002', '+4003']) await check.assertDeliverable(n);
    await check.assertDeliverable('+4001'); // used again: +4002 is now the oldest
    await check.assertDeliverable('+4004');
    expect(check.size).toBe(3);
    lookup.asked.length = 0;
    await check.assertDeliverable('+4001');
    await check.assertDeliverable('+4003');
    expect(lookup.asked).toHaveLength(0);
    await check.assertDeliverable('+4002');
    expect(lookup.asked.map((a) => a.e164)).toEqual(['+4002']);
  });

  it('asks once for concurrent checks of one number', async () => {
    const lookup = new FakeLookup();
    const check = new LineCheck(POLICY, lookup, now);
    await Promise.all([1, 2, 3].map(() => check.assertDeliverable('+5000')));
    expect(lookup.asked).toHaveLength(1);
  });

  it('fails open or closed when Lookup is down, and caches no failure', async () => {
    const lookup = new FakeLookup();
    lookup.failure = Object.assign(new Error('down'), { status: 503, code: 20503 });
    const open = new LineCheck(POLICY, lookup, now);
    expect(await codeOf(open.assertDeliverable('+6000'))).toBeUndefined();
    const closed = new LineCheck({ ...POLICY, whenUnavailable: 'refuse' }, lookup, now);
    const refusal = closed.assertDeliverable('+6000').catch((error: unknown) => error);
    const error = (await refusal) as OtpException;
    expect(error.code).toBe('PROVIDER_UNAVAILABLE');
    expect(error.getStatus()).toBe(503);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(open.size).toBe(0);
    expect(closed.size).toBe(0);
  });

  it('applies to the channels the options name', () => {
    const check = new LineCheck(POLICY, new FakeLookup(), now);
    expect(check.appliesTo('sms')).toBe(true);
    expect(check.appliesTo('call')).toBe(true);
    expect(check.appliesTo('whatsapp')).toBe(false);
  });
});
