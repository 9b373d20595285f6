import { randomBytes } from 'node:crypto';

import { EmulatorClock } from './emulator/emulator-clock.js';
import { FaultQueue } from './emulator/fault-queue.js';
import { EmulatorHttpServer } from './emulator/http-server.js';
import { LookupState } from './emulator/lookup-state.js';
import { newSid } from './emulator/sid.util.js';
import { TwilioRouter } from './emulator/twilio-router.js';
import { VerifyState } from './emulator/verify-state.js';
import type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorRequest,
  FaultOptions,
  LineType,
  TwilioVerifyEmulatorOptions,
} from './emulator.types.js';

/**
 * A local stand-in for the Twilio Verify v2 API (and the Lookup v2 phone number query): a real
 * HTTP server on 127.0.0.1 that speaks Twilio's wire format, so the official `twilio` SDK can be
 * pointed at it in tests:
 *
 * ```ts
 * const emu = await new TwilioVerifyEmulator().start();
 * const client = twilio(emu.accountSid, emu.authToken);
 * client.verify.baseUrl = emu.url;
 * client.lookups.baseUrl = emu.url;
 * await client.verify.v2.services(emu.serviceSid).verifications.create({ to, channel: 'sms' });
 * const code = emu.lastCode(to);
 * ```
 *
 * It keeps Twilio's documented rules: 10-minute codes (or `codeValiditySeconds`); re-sends of
 * the same code; channels turned off on the service (`disabledChannels`) answering 60223; 5 sends
 * per number per 10 minutes (error 60203), lifted once the verification is approved or canceled;
 * 5 checks per verification, after which the number is refused (60202) until that verification
 * would have expired; approved, expired and used-up verifications deleted (fetching or checking
 * them answers 404 20404; canceled ones can still be fetched); status fetches limited per number
 * to 60 a minute, 180 an hour and 250 a day (429 20429); required parameters (20001), an E.164
 * `To`, a known channel and a code of 4 to 10 digits (60200). It takes the `sms`, `call` and
 * `whatsapp` channels and the optional parameters `Locale` (one of Verify's supported locales,
 * others answer 404 20404 as Twilio does), `CustomFriendlyName`, `AppHash`, `Tags` (a JSON object
 * of up to 10 strings), `DeviceIp` (an IPv4 or IPv6 address) and `RateLimits` (a JSON object, as
 * the SDK serialises it); {@link requests} shows them as sent, {@link deliveries} the locale and
 * friendly name of each code. Lookup answers `line_type_intelligence` and `sms_pumping_risk`
 * from {@link setLineType} and {@link setSmsPumpingRisk}. Faults (delays, error statuses,
 * connection resets, hangs) can be injected, and time can be moved forward without waiting.
 */
export class TwilioVerifyEmulator {
  /** Account sid the client must authenticate with (Basic auth user name). */
  readonly accountSid: string;
  /** Auth token the client must authenticate with (Basic auth password). */
  readonly authToken: string;
  /** Sid of the Verify service the emulator serves; other service sids get 404. */
  readonly serviceSid: string;

  private readonly clock: EmulatorClock;
  private readonly verify: VerifyState;
  private readonly lookup = new LookupState();
  private readonly faults = new FaultQueue();
  private readonly server: EmulatorHttpServer;

  /** Creates an emulator; nothing listens until {@link start} is called. */
  constructor(options: TwilioVerifyEmulatorOptions = {}) {
    this.accountSid = options.accountSid ?? newSid('AC');
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.serviceSid = options.serviceSid ?? newSid('VA');
    this.clock = new EmulatorClock(options.now);
    this.verify = new VerifyState({
      serviceSid: this.serviceSid,
      now: () => this.clock.now(),
      codeLength: options.codeLength,
      codeValiditySeconds: options.codeValiditySeconds,
      disabledChannels: options.disabledChannels,
      onDelivery: options.onDelivery,
    });
    const router = new TwilioRouter(this.verify, this.lookup, () => ({
      accountSid: this.accountSid,
      serviceSid: this.serviceSid,
      baseUrl: this.server.baseUrl,
    }));
    this.server = new EmulatorHttpServer({
      accountSid: this.accountSid,
      authToken: this.authToken,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      router,
      faults: this.faults,
      now: () => this.clock.now(),
    });
  }

  /**
   * Base URL to give the SDK (`client.verify.baseUrl = emu.url`, and `client.lookups.baseUrl` for
   * Lookup), e.g. `http://127.0.0.1:40123`.
   * @throws Error if the emulator is not started.
   */
  get url(): string {
    const url = this.server.baseUrl;
    if (url === undefined) {
      throw new Error('TwilioVerifyEmulator is not started; call start() first');
    }
    return url;
  }

  /** Starts listening; resolves with the emulator itself once {@link url} is usable. */
  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  /**
   * Stops listening and closes every open connection, including hanging and delayed requests
   * (their clients see a connection reset). Safe to call more than once.
   */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** The code most recently sent to `to` (an E.164 number), or `undefined` if none was. */
  lastCode(to: string): string | undefined {
    return this.deliveries(to).at(-1)?.code;
  }

  /** Every code sent so far (only those sent to `to` if given), oldest first. */
  deliveries(to?: string): EmulatorDelivery[] {
    return this.verify.deliveries(to);
  }

  /**
   * Every authenticated request received so far (faulted ones included), oldest first. Requests
   * rejected for bad credentials are not listed.
   */
  requests(): EmulatorRequest[] {
    return this.server.requests();
  }

  /**
   * Moves the emulator clock forward by `ms` without waiting, e.g. `advanceTime(10 * 60_000 + 1000)`
   * to let pending codes expire and the send-limit window pass.
   */
  advanceTime(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * The emulator clock in epoch milliseconds. Hand it to other time-based parts under test (e.g.
   * `new MemoryRateLimitStorage(() => emulator.now())`) so that `advanceTime` moves them too.
   */
  now(): number {
    return this.clock.now();
  }

  /**
   * Makes matching requests fail (or slow down) before normal handling; the request is still
   * listed by {@link requests}. With several faults, the first injected that matches wins.
   * @param fault What to do instead of (or, for `delay`, before) answering.
   * @param options `times` (default: until cleared) and `endpoint` (default `'any'`).
   */
  injectFault(fault: EmulatorFault, options: FaultOptions = {}): void {
    this.faults.inject(fault, options);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Sets the line type Lookup v2 reports for `e164` in `line_type_intelligence.type`; numbers not
   * set are `'mobile'`. The carrier name follows the type (e.g. a Twilio VoIP carrier for
   * `'nonFixedVoip'`).
   * @throws RangeError if `e164` is not an E.164 number or `type` is not one of Twilio's line
   *   types.
   */
  setLineType(e164: string, type: LineType): void {
    this.lookup.setLineType(e164, type);
  }

  /**
   * Sets the SMS pumping risk score (0 = no risk, 100 = highest) Lookup v2 reports for `e164` in
   * `sms_pumping_risk.sms_pumping_risk_score`; numbers not set score 0 (`carrier_risk_category`
   * `'low'`). The category follows the score: below 40 `'low'`, below 60 `'mild'`, below 80
   * `'moderate'`, else `'high'`; a score of 80 or more also reports the number as blocked.
   * @throws RangeError if `e164` is not an E.164 number or `score` is not an integer from 0 to 100.
   */
  setSmsPumpingRisk(e164: string, score: number): void {
    this.lookup.setSmsPumpingRisk(e164, score);
  }

  /**
   * Forgets verifications, deliveries, requests, send/check counters, faults and the line types
   * and risk scores set for Lookup, and sets the clock back to the present. Credentials, service
   * sid and the listening server are kept.
   */
  reset(): void {
    this.verify.reset();
    this.lookup.reset();
    this.faults.clear();
    this.server.clearRequests();
    this.clock.reset();
  }
}
