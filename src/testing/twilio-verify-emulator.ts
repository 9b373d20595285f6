import { randomBytes, randomInt } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';

import { VERIFY_LOCALES } from '../verification/verify-locales.js';
import type {
  EmulatorDelivery,
  EmulatorFault,
  EmulatorRequest,
  FaultOptions,
  LineType,
  TwilioVerifyEmulatorOptions,
} from './emulator.types.js';

/** The window of the send limit (Twilio: 10 minutes), and a code's default validity. */
const SEND_WINDOW_MS = 10 * 60 * 1000;
/** Send attempts allowed per number per {@link SEND_WINDOW_MS}, re-sends included. */
const MAX_SENDS = 5;
/** Checks allowed per verification, right or wrong. */
const MAX_CHECKS = 5;
const E164 = /^\+[1-9]\d{6,14}$/;
/** Twilio checks codes of 4 to 10 digits (others answer 60200). */
const CODE = /^\d{4,10}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Twilio's status check limits per number. */
const STATUS_FETCH_LIMITS = [
  { max: 60, windowMs: 60 * 1000 },
  { max: 180, windowMs: 60 * 60 * 1000 },
  { max: 250, windowMs: DAY_MS },
];
const SUPPORTED_CHANNELS: ReadonlySet<string> = new Set(['sms', 'call', 'whatsapp']);
const SUPPORTED_LOCALES: ReadonlySet<string> = new Set(VERIFY_LOCALES);
/** Tags: a JSON object of at most 10 string values, keys and values up to 128 characters. */
const MAX_TAGS = 10;
const MAX_TAG_LENGTH = 128;
const ROUTE =
  /^\/v2\/Services\/(?<service>[^/]+)\/(?<endpoint>Verifications|VerificationCheck)(?:\/(?<sid>[^/]+))?\/?$/;
const LOOKUP_ROUTE = /^\/v2\/PhoneNumbers\/(?<number>[^/]+)\/?$/;
/** The Lookup v2 data packages the emulator answers; others are answered as `null`. */
const LOOKUP_PACKAGES = [
  'caller_name',
  'sim_swap',
  'call_forwarding',
  'line_status',
  'line_type_intelligence',
  'identity_match',
  'reassigned_number',
  'sms_pumping_risk',
  'phone_number_quality_score',
  'pre_fill',
] as const;
/** Every line type, once: the record's type makes the compiler hold it to `LineType`. */
const LINE_TYPE_NAMES: Record<LineType, true> = {
  landline: true,
  mobile: true,
  fixedVoip: true,
  nonFixedVoip: true,
  personal: true,
  tollFree: true,
  premium: true,
  sharedCost: true,
  uan: true,
  voicemail: true,
  pager: true,
  unknown: true,
};
const LINE_TYPES: ReadonlySet<string> = new Set(Object.keys(LINE_TYPE_NAMES));

type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired';
type Endpoint = 'Verifications' | 'VerificationCheck' | 'Lookup';

interface SendAttempt {
  attempt_sid: string;
  channel: string;
  time: string;
}

interface Verification {
  sid: string;
  to: string;
  channel: string;
  code: string;
  status: VerificationStatus;
  createdAt: number;
  updatedAt: number;
  checks: number;
  sendAttempts: SendAttempt[];
}

/** A number whose verification used up its checks, until that verification expires. */
interface Lock {
  sid: string;
  until: number;
}

interface ActiveFault {
  fault: EmulatorFault;
  endpoint: Endpoint | 'any';
  remaining: number;
}

interface Reply {
  status: number;
  body: object;
}

/** A Twilio error answer, thrown by the route handlers and written by the dispatcher. */
class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

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

  private readonly host: string;
  private readonly port: number;
  private readonly codeLength: number;
  private readonly validityMs: number;
  private readonly disabledChannels: ReadonlySet<string>;
  private readonly clock: () => number;
  private readonly onDelivery?: (delivery: EmulatorDelivery) => void;

  private server?: Server;
  private boundPort?: number;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private verifications = new Map<string, Verification>();
  private sendTimes = new Map<string, number[]>();
  private fetchTimes = new Map<string, number[]>();
  private locks = new Map<string, Lock>();
  /** The number of every verification created, deleted ones included, by sid. */
  private numbers = new Map<string, string>();
  private lineTypes = new Map<string, LineType>();
  private pumpingRisks = new Map<string, number>();
  private deliveryLog: EmulatorDelivery[] = [];
  private requestLog: EmulatorRequest[] = [];
  private faults: ActiveFault[] = [];
  private timeOffset = 0;

  /** Creates an emulator; nothing listens until {@link start} is called. */
  constructor(options: TwilioVerifyEmulatorOptions = {}) {
    this.accountSid = options.accountSid ?? newSid('AC');
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.serviceSid = options.serviceSid ?? newSid('VA');
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.codeLength = options.codeLength ?? 6;
    this.clock = options.now ?? Date.now;
    this.onDelivery = options.onDelivery;
    if (!Number.isInteger(this.codeLength) || this.codeLength < 4 || this.codeLength > 10) {
      throw new RangeError(`codeLength must be an integer from 4 to 10, got ${this.codeLength}`);
    }
    const validity = options.codeValiditySeconds ?? SEND_WINDOW_MS / 1000;
    if (!Number.isInteger(validity) || validity < 120 || validity > 86_400) {
      throw new RangeError(
        `codeValiditySeconds must be an integer from 120 to 86400, got ${validity}`,
      );
    }
    this.validityMs = validity * 1000;
    this.disabledChannels = new Set(options.disabledChannels ?? []);
  }

  /**
   * Base URL to give the SDK (`client.verify.baseUrl = emu.url`, and `client.lookups.baseUrl` for
   * Lookup), e.g. `http://127.0.0.1:40123`.
   * @throws Error if the emulator is not started.
   */
  get url(): string {
    if (this.boundPort === undefined) {
      throw new Error('TwilioVerifyEmulator is not started; call start() first');
    }
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.boundPort}`;
  }

  /** Starts listening; resolves with the emulator itself once {@link url} is usable. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('connection', (socket) => this.track(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this;
  }

  /**
   * Stops listening and closes every open connection, including hanging and delayed requests
   * (their clients see a connection reset). Safe to call more than once.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  /** The code most recently sent to `to` (an E.164 number), or `undefined` if none was. */
  lastCode(to: string): string | undefined {
    return this.deliveries(to).at(-1)?.code;
  }

  /** Every code sent so far (only those sent to `to` if given), oldest first. */
  deliveries(to?: string): EmulatorDelivery[] {
    return this.deliveryLog
      .filter((delivery) => to === undefined || delivery.to === to)
      .map((delivery) => ({ ...delivery, at: new Date(delivery.at) }));
  }

  /**
   * Every authenticated request received so far (faulted ones included), oldest first. Requests
   * rejected for bad credentials are not listed.
   */
  requests(): EmulatorRequest[] {
    return this.requestLog.map((request) => ({
      ...request,
      params: { ...request.params },
      at: new Date(request.at),
    }));
  }

  /**
   * Moves the emulator clock forward by `ms` without waiting, e.g. `advanceTime(10 * 60_000 + 1000)`
   * to let pending codes expire and the send-limit window pass.
   */
  advanceTime(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`advanceTime expects a non-negative number of ms, got ${ms}`);
    }
    this.timeOffset += ms;
  }

  /**
   * Makes matching requests fail (or slow down) before normal handling; the request is still
   * listed by {@link requests}. With several faults, the first injected that matches wins.
   * @param fault What to do instead of (or, for `delay`, before) answering.
   * @param options `times` (default: until cleared) and `endpoint` (default `'any'`).
   */
  injectFault(fault: EmulatorFault, options: FaultOptions = {}): void {
    const times = options.times ?? Infinity;
    if (times !== Infinity && (!Number.isInteger(times) || times < 1)) {
      throw new RangeError(`times must be a positive integer, got ${times}`);
    }
    if (fault.kind === 'delay' && (!Number.isFinite(fault.ms) || fault.ms < 0)) {
      throw new RangeError(`delay ms must be a non-negative number, got ${fault.ms}`);
    }
    this.faults.push({ fault, endpoint: options.endpoint ?? 'any', remaining: times });
  }

  /**
   * Sets the line type Lookup v2 reports for `e164` in `line_type_intelligence.type`; numbers not
   * set are `'mobile'`. The carrier name follows the type (e.g. a Twilio VoIP carrier for
   * `'nonFixedVoip'`).
   * @throws RangeError if `e164` is not an E.164 number or `type` is not one of Twilio's line
   *   types.
   */
  setLineType(e164: string, type: LineType): void {
    if (!E164.test(e164)) throw new RangeError(`setLineType expects an E.164 number, got ${e164}`);
    if (!LINE_TYPES.has(type)) {
      throw new RangeError(`setLineType expects one of ${[...LINE_TYPES].join(', ')}, got ${type}`);
    }
    this.lineTypes.set(e164, type);
  }

  /**
   * Sets the SMS pumping risk score (0 = no risk, 100 = highest) Lookup v2 reports for `e164` in
   * `sms_pumping_risk.sms_pumping_risk_score`; numbers not set score 0 (`carrier_risk_category`
   * `'low'`). The category follows the score: below 40 `'low'`, below 60 `'mild'`, below 80
   * `'moderate'`, else `'high'`; a score of 80 or more also reports the number as blocked.
   * @throws RangeError if `e164` is not an E.164 number or `score` is not an integer from 0 to 100.
   */
  setSmsPumpingRisk(e164: string, score: number): void {
    if (!E164.test(e164)) {
      throw new RangeError(`setSmsPumpingRisk expects an E.164 number, got ${e164}`);
    }
    if (!Number.isInteger(score) || score < 0 || score > 100) {
      throw new RangeError(
        `setSmsPumpingRisk expects an integer score from 0 to 100, got ${score}`,
      );
    }
    this.pumpingRisks.set(e164, score);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults = [];
  }

  /**
   * Forgets verifications, deliveries, requests, send/check counters, faults and the line types
   * and risk scores set for Lookup, and sets the clock back to the present. Credentials, service
   * sid and the listening server are kept.
   */
  reset(): void {
    this.verifications = new Map();
    this.sendTimes = new Map();
    this.fetchTimes = new Map();
    this.locks = new Map();
    this.numbers = new Map();
    this.lineTypes = new Map();
    this.pumpingRisks = new Map();
    this.deliveryLog = [];
    this.requestLog = [];
    this.faults = [];
    this.timeOffset = 0;
  }

  // ---------------------------------------------------------------- transport

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /**
   * The emulator clock in epoch milliseconds. Hand it to other time-based parts under test (e.g.
   * `new MemoryRateLimitStorage(() => emulator.now())`) so that `advanceTime` moves them too.
   */
  now(): number {
    return this.clock() + this.timeOffset;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => req.socket.destroy());
    req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (!this.isAuthorized(req.headers.authorization)) {
      this.writeError(res, new TwilioApiError(401, 20003, 'Authenticate'));
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const params = formParams(method === 'POST' ? body : url.search);
    this.requestLog.push({ method, path: url.pathname, params, at: new Date(this.now()) });

    const answer = () => this.answer(res, method, url.pathname, params);
    const fault = this.takeFault(url.pathname);
    if (fault) this.play(fault, req, res, answer);
    else answer();
  }

  private isAuthorized(header: string | undefined): boolean {
    const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return (
      colon >= 0 &&
      decoded.slice(0, colon) === this.accountSid &&
      decoded.slice(colon + 1) === this.authToken
    );
  }

  private answer(res: ServerResponse, method: string, path: string, params: Params): void {
    let reply: Reply;
    try {
      reply = this.route(method, path, params);
    } catch (error) {
      this.writeError(
        res,
        error instanceof TwilioApiError
          ? error
          : new TwilioApiError(500, 20500, `Internal Server Error: ${String(error)}`),
      );
      return;
    }
    writeJson(res, reply.status, reply.body);
  }

  private writeError(res: ServerResponse, error: TwilioApiError): void {
    writeJson(res, error.status, {
      code: error.code,
      message: error.message,
      more_info: `https://www.twilio.com/docs/errors/${error.code}`,
      status: error.status,
    });
  }

  // ---------------------------------------------------------------- faults

  /** Finds the first fault matching the request's endpoint and counts one use of it. */
  private takeFault(path: string): EmulatorFault | undefined {
    const endpoint = LOOKUP_ROUTE.test(path) ? 'Lookup' : ROUTE.exec(path)?.groups?.endpoint;
    const index = this.faults.findIndex((f) => f.endpoint === 'any' || f.endpoint === endpoint);
    if (index < 0) return undefined;
    const active = this.faults[index];
    active.remaining -= 1;
    if (active.remaining <= 0) this.faults.splice(index, 1);
    return active.fault;
  }

  private play(
    fault: EmulatorFault,
    req: IncomingMessage,
    res: ServerResponse,
    answer: () => void,
  ): void {
    switch (fault.kind) {
      case 'delay': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          answer();
        }, fault.ms);
        this.timers.add(timer);
        return;
      }
      case 'status':
        this.writeError(
          res,
          new TwilioApiError(
            fault.status,
            fault.code ?? 20000 + fault.status,
            fault.message ?? STATUS_CODES[fault.status] ?? 'Error',
          ),
        );
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return;
    }
  }

  // ---------------------------------------------------------------- routing

  private route(method: string, path: string, params: Params): Reply {
    const lookup = LOOKUP_ROUTE.exec(path)?.groups;
    if (lookup) {
      if (method !== 'GET') throw methodNotAllowed();
      return this.lookupPhoneNumber(safeDecode(lookup.number), params);
    }
    const groups = ROUTE.exec(path)?.groups;
    if (!groups || groups.service !== this.serviceSid) throw notFound(path);
    const sid = groups.sid === undefined ? undefined : decodeURIComponent(groups.sid);

    if (groups.endpoint === 'VerificationCheck') {
      if (sid !== undefined) throw notFound(path);
      if (method !== 'POST') throw methodNotAllowed();
      return this.checkVerification(path, params);
    }
    if (sid === undefined) {
      if (method !== 'POST') throw methodNotAllowed();
      return this.startVerification(params);
    }
    if (method === 'GET') return this.fetchVerification(path, sid);
    if (method === 'POST') return this.updateVerification(path, sid, params);
    throw methodNotAllowed();
  }

  /** `POST /v2/Services/{ServiceSid}/Verifications`: sends a new code or re-sends the pending one. */
  private startVerification(params: Params): Reply {
    const to = requireE164(params, 'To');
    const channel = requireParam(params, 'Channel');
    if (!SUPPORTED_CHANNELS.has(channel)) throw invalidParam('Channel', channel);
    if (this.disabledChannels.has(channel)) {
      throw new TwilioApiError(400, 60223, 'Delivery channel disabled');
    }
    const send = sendOptions(params);
    if (send.locale !== undefined && !SUPPORTED_LOCALES.has(send.locale)) {
      // Twilio answers an unsupported Locale as a missing resource (the translation).
      throw notFound(`/v2/Services/${this.serviceSid}/Verifications`);
    }
    this.refuseWhileLocked(to);
    this.consumeSendAttempt(to);

    const now = this.now();
    const verification = this.pendingFor(to) ?? this.createVerification(to, channel, now);
    verification.channel = channel;
    verification.updatedAt = now;
    verification.sendAttempts.push({ attempt_sid: newSid('VL'), channel, time: isoTime(now) });
    this.deliver(verification, now, send);
    return { status: 201, body: this.verificationJson(verification) };
  }

  /**
   * `POST /v2/Services/{ServiceSid}/VerificationCheck`: checks a code against a verification. The
   * fifth wrong code uses up the verification: it is deleted, and its number stays locked (60202)
   * until the verification would have expired.
   */
  private checkVerification(path: string, params: Params): Reply {
    const code = requireParam(params, 'Code');
    if (!CODE.test(code)) throw invalidParam('Code', code);
    const verification = this.checkTarget(path, params);
    const now = this.now();
    verification.checks += 1;
    verification.updatedAt = now;
    if (code === verification.code) {
      verification.status = 'approved';
      this.finish(verification);
    } else if (verification.checks >= MAX_CHECKS) {
      this.locks.set(verification.to, {
        sid: verification.sid,
        until: verification.createdAt + this.validityMs,
      });
      this.verifications.delete(verification.sid);
    }
    return {
      status: 200,
      body: {
        sid: verification.sid,
        service_sid: this.serviceSid,
        account_sid: this.accountSid,
        to: verification.to,
        channel: verification.channel,
        status: verification.status,
        valid: verification.status === 'approved',
        amount: null,
        payee: null,
        date_created: isoTime(verification.createdAt),
        date_updated: isoTime(verification.updatedAt),
        sna_attempts_error_codes: [],
      },
    };
  }

  /**
   * `GET /v2/Services/{ServiceSid}/Verifications/{Sid or To}`: a pending or canceled verification
   * (approved, expired and used-up ones are deleted), within the status fetch limits.
   */
  private fetchVerification(path: string, sidOrTo: string): Reply {
    const verification = this.lookup(sidOrTo);
    this.consumeStatusFetch(this.numbers.get(sidOrTo) ?? sidOrTo);
    if (!verification) throw notFound(path);
    return { status: 200, body: this.verificationJson(verification) };
  }

  /** `POST /v2/Services/{ServiceSid}/Verifications/{Sid or To}` with `Status=canceled|approved`. */
  private updateVerification(path: string, sidOrTo: string, params: Params): Reply {
    const status = requireParam(params, 'Status');
    if (status !== 'canceled' && status !== 'approved') throw invalidParam('Status', status);
    const verification = this.lookup(sidOrTo);
    if (!verification || verification.status !== 'pending') throw notFound(path);
    verification.status = status;
    verification.updatedAt = this.now();
    this.finish(verification);
    return { status: 200, body: this.verificationJson(verification) };
  }

  /**
   * `GET /v2/PhoneNumbers/{PhoneNumber}` (Lookup v2; a national number with `CountryCode`): the
   * basic validation, plus the
   * `line_type_intelligence` and `sms_pumping_risk` packages when `Fields` asks for them.
   */
  private lookupPhoneNumber(number: string, params: Params): Reply {
    const fields = new Set(
      (params.Fields ?? '')
        .split(',')
        .map((field) => field.trim())
        .filter((field) => field !== ''),
    );
    const body = basicLookup(number, params.CountryCode);
    const valid = body.valid === true;
    const e164 = String(body.phone_number);
    for (const name of LOOKUP_PACKAGES) body[name] = null;
    if (valid && fields.has('line_type_intelligence')) {
      body.line_type_intelligence = lineTypeJson(this.lineTypes.get(e164) ?? 'mobile');
    }
    if (valid && fields.has('sms_pumping_risk')) {
      body.sms_pumping_risk = pumpingRiskJson(this.pumpingRisks.get(e164) ?? 0);
    }
    const path = `/v2/PhoneNumbers/${encodeURIComponent(number)}`;
    body.url = this.boundPort === undefined ? path : `${this.url}${path}`;
    return { status: 200, body };
  }

  // ---------------------------------------------------------------- state

  /**
   * Ends a verification's lifecycle (approved or canceled): the number's send attempts no longer
   * count (Twilio lifts 60203 then), and an approved verification is deleted.
   */
  private finish(verification: Verification): void {
    this.sendTimes.delete(verification.to);
    if (verification.status === 'approved') this.verifications.delete(verification.sid);
  }

  /** Throws 60202 while a verification for `to` that used up its checks has not expired. */
  private refuseWhileLocked(to: string): void {
    if (this.activeLock(to)) throw maxCheckAttempts();
  }

  private activeLock(to: string): Lock | undefined {
    const lock = this.locks.get(to);
    if (lock && this.now() >= lock.until) {
      this.locks.delete(to);
      return undefined;
    }
    return lock;
  }

  /** Counts a send attempt for `to`, or throws 60203 when the window's limit is used up. */
  private consumeSendAttempt(to: string): void {
    const now = this.now();
    const recent = (this.sendTimes.get(to) ?? []).filter((time) => time > now - SEND_WINDOW_MS);
    if (recent.length >= MAX_SENDS) {
      this.sendTimes.set(to, recent);
      throw new TwilioApiError(429, 60203, 'Max send attempts reached');
    }
    recent.push(now);
    this.sendTimes.set(to, recent);
  }

  /**
   * Counts a status fetch for `key` (the number), or throws 429 20429 when one of Twilio's
   * status check limits (60 a minute, 180 an hour, 250 a day) is used up.
   */
  private consumeStatusFetch(key: string): void {
    const now = this.now();
    const recent = (this.fetchTimes.get(key) ?? []).filter((time) => time > now - DAY_MS);
    const full = STATUS_FETCH_LIMITS.some(
      ({ max, windowMs }) => recent.filter((time) => time > now - windowMs).length >= max,
    );
    this.fetchTimes.set(key, recent);
    // Code and message as in the 429 example of Twilio's OpenAPI description.
    if (full) throw new TwilioApiError(429, 20429, 'Too many requests');
    recent.push(now);
  }

  private deliver(verification: Verification, now: number, send: SendOptions): void {
    const delivery: EmulatorDelivery = {
      to: verification.to,
      channel: verification.channel,
      code: verification.code,
      verificationSid: verification.sid,
      at: new Date(now),
    };
    if (send.locale !== undefined) delivery.locale = send.locale;
    if (send.customFriendlyName !== undefined) {
      delivery.customFriendlyName = send.customFriendlyName;
    }
    this.deliveryLog.push(delivery);
    this.onDelivery?.({ ...delivery, at: new Date(now) });
  }

  private createVerification(to: string, channel: string, now: number): Verification {
    const verification: Verification = {
      sid: newSid('VE'),
      to,
      channel,
      code: this.newCode(),
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      checks: 0,
      sendAttempts: [],
    };
    this.verifications.set(verification.sid, verification);
    this.numbers.set(verification.sid, to);
    return verification;
  }

  /**
   * The verification a check addresses (by `VerificationSid`, else by `To`): a pending one. A
   * number locked by too many checks answers 60202; anything else is 404.
   */
  private checkTarget(path: string, params: Params): Verification {
    if (params.VerificationSid !== undefined) {
      const sid = params.VerificationSid;
      const verification = this.bySid(sid);
      if (verification?.status === 'pending') return verification;
      const lock = [...this.locks.entries()].find(([, entry]) => entry.sid === sid);
      if (lock && this.activeLock(lock[0])) throw maxCheckAttempts();
      throw notFound(path);
    }
    const to = requireE164(params, 'To');
    if (this.activeLock(to)) throw maxCheckAttempts();
    const verification = this.pendingFor(to);
    if (!verification) throw notFound(path);
    return verification;
  }

  /** A verification by sid (pending or canceled) or by `To` number (the pending one). */
  private lookup(sidOrTo: string): Verification | undefined {
    return sidOrTo.startsWith('+') ? this.pendingFor(sidOrTo) : this.bySid(sidOrTo);
  }

  private bySid(sid: string): Verification | undefined {
    const verification = this.verifications.get(sid);
    return verification && this.expireIfDue(verification) ? verification : undefined;
  }

  /** The most recent pending verification for `to`. */
  private pendingFor(to: string): Verification | undefined {
    let latest: Verification | undefined;
    for (const verification of [...this.verifications.values()]) {
      if (
        verification.to === to &&
        this.expireIfDue(verification) &&
        verification.status === 'pending'
      ) {
        latest = verification;
      }
    }
    return latest;
  }

  /**
   * Deletes a pending verification once its 10 minutes are over (Twilio deletes expired ones);
   * returns whether it still exists.
   */
  private expireIfDue(verification: Verification): boolean {
    const expiresAt = verification.createdAt + this.validityMs;
    if (verification.status === 'pending' && this.now() >= expiresAt) {
      verification.status = 'expired';
      verification.updatedAt = expiresAt;
      this.verifications.delete(verification.sid);
      return false;
    }
    return true;
  }

  private newCode(): string {
    let code = '';
    for (let i = 0; i < this.codeLength; i += 1) code += String(randomInt(10));
    return code;
  }

  private verificationJson(verification: Verification): object {
    const path = `/v2/Services/${this.serviceSid}/Verifications/${verification.sid}`;
    return {
      sid: verification.sid,
      service_sid: this.serviceSid,
      account_sid: this.accountSid,
      to: verification.to,
      channel: verification.channel,
      status: verification.status,
      valid: verification.status === 'approved',
      lookup: {},
      amount: null,
      payee: null,
      send_code_attempts: verification.sendAttempts.map((attempt) => ({ ...attempt })),
      date_created: isoTime(verification.createdAt),
      date_updated: isoTime(verification.updatedAt),
      sna: null,
      url: this.boundPort === undefined ? path : `${this.url}${path}`,
    };
  }
}

// ------------------------------------------------------------------ helpers

type Params = Record<string, string>;

/** What a send asked for beyond `To` and `Channel`, as Twilio reads it. */
interface SendOptions {
  locale?: string;
  customFriendlyName?: string;
}

/**
 * Validates the optional parameters of a verification start as Twilio does (the `Tags` and
 * `RateLimits` JSON, the `DeviceIp` address) and returns those a delivery records.
 */
function sendOptions(params: Params): SendOptions {
  if (params.Tags !== undefined) {
    const tags = jsonObject(params.Tags);
    const entries = tags && Object.entries(tags);
    const ok =
      entries !== undefined &&
      entries.length <= MAX_TAGS &&
      entries.every(
        ([key, value]) =>
          typeof value === 'string' &&
          key.length <= MAX_TAG_LENGTH &&
          value.length <= MAX_TAG_LENGTH,
      );
    if (!ok) throw invalidParam('Tags', params.Tags);
  }
  if (params.RateLimits !== undefined) {
    const limits = jsonObject(params.RateLimits);
    const ok =
      limits !== undefined &&
      Object.values(limits).every(
        (value) => typeof value === 'string' || typeof value === 'number',
      );
    if (!ok) throw invalidParam('RateLimits', params.RateLimits);
  }
  if (params.DeviceIp !== undefined && isIP(params.DeviceIp) === 0) {
    throw invalidParam('DeviceIp', params.DeviceIp);
  }
  return {
    ...(params.Locale !== undefined && { locale: params.Locale }),
    ...(params.CustomFriendlyName !== undefined && {
      customFriendlyName: params.CustomFriendlyName,
    }),
  };
}

/** A JSON object (not an array or a scalar), or `undefined`. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Lookup's basic validation of a number, done with libphonenumber's metadata: an E.164 number, or
 * a national one with `CountryCode` (ISO 3166 alpha-2).
 */
function basicLookup(number: string, countryCode: string | undefined): Record<string, unknown> {
  const international = number.startsWith('+');
  const country =
    !international && countryCode !== undefined && isSupportedCountry(countryCode.toUpperCase())
      ? (countryCode.toUpperCase() as CountryCode)
      : undefined;
  const parsed = international || country ? parsePhoneNumberFromString(number, country) : undefined;
  const valid = parsed?.isValid() === true;
  let error: string | undefined;
  if (!valid) {
    const length =
      international || country ? validatePhoneNumberLength(number, country) : 'NOT_A_NUMBER';
    error =
      length === undefined
        ? 'INVALID_BUT_POSSIBLE'
        : length === 'INVALID_COUNTRY'
          ? 'INVALID_COUNTRY_CODE'
          : length;
  }
  return {
    calling_country_code: parsed?.countryCallingCode ?? null,
    country_code: parsed?.country ?? null,
    phone_number: parsed?.number ?? number,
    national_format: parsed ? parsed.formatNational() : null,
    valid,
    validation_errors: error === undefined ? [] : [error],
  };
}

/** Carrier names by line type, as Lookup reports them for such numbers. */
const CARRIERS: Record<LineType, string> = {
  mobile: 'Emulated Mobile Carrier',
  landline: 'Emulated Landline Carrier',
  fixedVoip: 'Emulated Fixed VoIP Carrier',
  nonFixedVoip: 'Twilio - SMS/MMS-SVR',
  personal: 'Emulated Personal Number Carrier',
  tollFree: 'Emulated Toll-Free Carrier',
  premium: 'Emulated Premium Rate Carrier',
  sharedCost: 'Emulated Shared Cost Carrier',
  uan: 'Emulated Universal Access Carrier',
  voicemail: 'Emulated Voicemail Carrier',
  pager: 'Emulated Pager Carrier',
  unknown: 'Emulated Carrier',
};

function lineTypeJson(type: LineType): object {
  return {
    error_code: null,
    mobile_country_code: '310',
    mobile_network_code: type === 'mobile' ? '260' : '999',
    carrier_name: CARRIERS[type],
    type,
  };
}

function pumpingRiskJson(score: number): object {
  const category = score < 40 ? 'low' : score < 60 ? 'mild' : score < 80 ? 'moderate' : 'high';
  return {
    carrier_risk_category: category,
    number_blocked: score >= 80,
    number_blocked_date: null,
    number_blocked_last_3_months: score >= 80 ? true : null,
    sms_pumping_risk_score: score,
    error_code: null,
  };
}

function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Twilio's timestamp format: ISO 8601 in UTC without milliseconds. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function formParams(encoded: string): Params {
  return Object.fromEntries(new URLSearchParams(encoded));
}

function writeJson(res: ServerResponse, status: number, body: object): void {
  if (res.destroyed || res.headersSent) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Twilio-Request-Id': newSid('RQ'),
  });
  res.end(json);
}

function requireParam(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') {
    throw new TwilioApiError(400, 20001, `Missing required parameter ${name} in the post body`);
  }
  return value;
}

function requireE164(params: Params, name: string): string {
  const value = requireParam(params, name);
  if (!E164.test(value)) throw invalidParam(name, value);
  return value;
}

function invalidParam(name: string, value: string): TwilioApiError {
  return new TwilioApiError(400, 60200, `Invalid parameter \`${name}\`: ${value}`);
}

function notFound(path: string): TwilioApiError {
  const resource = path.replace(/^\/v2(?=\/)/, '');
  return new TwilioApiError(404, 20404, `The requested resource ${resource} was not found`);
}

function maxCheckAttempts(): TwilioApiError {
  return new TwilioApiError(429, 60202, 'Max check attempts reached');
}

function methodNotAllowed(): TwilioApiError {
  return new TwilioApiError(405, 20004, 'Method not allowed');
}
