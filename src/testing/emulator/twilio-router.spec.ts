import { FaultQueue } from './fault-queue.js';
import { LookupState } from './lookup-state.js';
import { endpointOf, TwilioRouter } from './twilio-router.js';
import { VerifyState } from './verify-state.js';

const ACCOUNT = 'AC' + '1'.repeat(32);
const SERVICE = 'VA' + '2'.repeat(32);
const TO = '+15005550006';
const VERIFICATIONS = `/v2/Services/${SERVICE}/Verifications`;
const CHECK = `/v2/Services/${SERVICE}/VerificationCheck`;

describe('TwilioRouter (without a server)', () => {
  let baseUrl: string | undefined;
  let verify: VerifyState;
  let router: TwilioRouter;

  beforeEach(() => {
    baseUrl = undefined;
    verify = new VerifyState({ serviceSid: SERVICE, now: () => Date.UTC(2026, 0, 1, 12) });
    router = new TwilioRouter(verify, new LookupState(), () => ({
      accountSid: ACCOUNT,
      serviceSid: SERVICE,
      baseUrl,
    }));
  });

  it('starts, fetches and checks a verification in Twilio’s wire format', () => {
    const started = router.route('POST', VERIFICATIONS, { To: TO, Channel: 'sms' });
    expect(started.status).toBe(201);
    const body = started.body as Record<string, unknown>;
    expect(body).toMatchObject({
      service_sid: SERVICE,
      account_sid: ACCOUNT,
      to: TO,
      status: 'pending',
      valid: false,
      lookup: {},
      sna: null,
      date_created: '2026-01-01T12:00:00Z',
      send_code_attempts: [{ channel: 'sms', time: '2026-01-01T12:00:00Z' }],
      url: `${VERIFICATIONS}/${String(body.sid)}`,
    });

    baseUrl = 'http://127.0.0.1:1';
    expect(router.route('GET', `${VERIFICATIONS}/${encodeURIComponent(TO)}/`, {})).toMatchObject({
      status: 200,
      body: { sid: body.sid, url: `${baseUrl}${VERIFICATIONS}/${String(body.sid)}` },
    });

    const code = verify.deliveries(TO)[0].code;
    expect(router.route('POST', CHECK, { To: TO, Code: code })).toEqual({
      status: 200,
      body: expect.objectContaining({
        sid: body.sid,
        status: 'approved',
        valid: true,
        sna_attempts_error_codes: [],
      }),
    });
  });

  it('answers 404 on the path asked for, and 405 for a method the resource does not take', () => {
    const refused = (status: number, code: number, message?: string) =>
      expect.objectContaining({ status, code, ...(message !== undefined && { message }) });
    const route =
      (method: string, path: string, params: Record<string, string> = {}) =>
      () =>
        router.route(method, path, params);

    expect(route('POST', `${CHECK}/`, { To: TO, Code: '123456' })).toThrow(
      refused(
        404,
        20404,
        `The requested resource /Services/${SERVICE}/VerificationCheck/ was not found`,
      ),
    );
    expect(route('GET', '/v2/Services/VAother/Verifications')).toThrow(refused(404, 20404));
    expect(route('POST', `${CHECK}/VE1`)).toThrow(refused(404, 20404));
    expect(route('GET', '/v2/Foo')).toThrow(refused(404, 20404));
    expect(route('GET', CHECK)).toThrow(refused(405, 20004, 'Method not allowed'));
    expect(route('GET', VERIFICATIONS)).toThrow(refused(405, 20004));
    expect(route('DELETE', `${VERIFICATIONS}/${TO}`)).toThrow(refused(405, 20004));
    expect(route('POST', '/v2/PhoneNumbers/%2B1')).toThrow(refused(405, 20004));
    expect(route('GET', `${VERIFICATIONS}/%E0%A4%A`)).toThrow(URIError);
  });

  it('answers a Lookup query with its url', () => {
    baseUrl = 'http://127.0.0.1:1';
    expect(
      router.route('GET', '/v2/PhoneNumbers/%2B15005550006', { Fields: 'line_type_intelligence' }),
    ).toMatchObject({
      status: 200,
      body: {
        phone_number: TO,
        line_type_intelligence: { type: 'mobile' },
        url: `${baseUrl}/v2/PhoneNumbers/%2B15005550006`,
      },
    });
  });

  it('names the endpoint of a path for faults, whichever the service', () => {
    expect(endpointOf(VERIFICATIONS)).toBe('Verifications');
    expect(endpointOf('/v2/Services/VAother/Verifications/VE1')).toBe('Verifications');
    expect(endpointOf(`${CHECK}/`)).toBe('VerificationCheck');
    expect(endpointOf('/v2/PhoneNumbers/+1')).toBe('Lookup');
    expect(endpointOf('/v2/Foo')).toBeUndefined();
    expect(new FaultQueue().take(endpointOf('/v2/Foo'))).toBeUndefined();
  });
});
