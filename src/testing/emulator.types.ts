/** A code the emulator "sent" (a new verification or a re-send of a pending one). */
export interface EmulatorDelivery {
  /** E.164 number the code went to. */
  to: string;
  /** Channel it went through (`'sms'`, `'call'` or `'whatsapp'`). */
  channel: 'sms' | 'call' | 'whatsapp' | string;
  /** The one-time code. */
  code: string;
  /** Sid (`VE…`) of the verification the code belongs to. */
  verificationSid: string;
  /** When it was sent, on the emulator clock. */
  at: Date;
  /**
   * The `Locale` the send asked for (one Twilio supports, e.g. `'pt-BR'`); absent when Twilio
   * would choose the language from the number's country.
   */
  locale?: string;
  /** The `CustomFriendlyName` the send asked for, shown in place of the service's name. */
  customFriendlyName?: string;
}

/** A request the emulator received (and authenticated). */
export interface EmulatorRequest {
  /** HTTP method, upper case (`'POST'`, `'GET'`). */
  method: string;
  /**
   * Path without query string, e.g. `/v2/Services/VA…/Verifications` or (Lookup)
   * `/v2/PhoneNumbers/+12015550123`.
   */
  path: string;
  /**
   * The parameters as the client sent them: the form body of a POST (`To`, `Channel`, `Code`,
   * `Locale`, `RateLimits` as its JSON text…), the query string of any other method (`Fields`).
   */
  params: Record<string, string>;
  /** When it arrived, on the emulator clock. */
  at: Date;
}

/** A failure to play instead of (or before) the normal answer. */
export type EmulatorFault =
  /** Answer normally, but only after `ms` real milliseconds. */
  | { kind: 'delay'; ms: number }
  /**
   * Answer with a Twilio error body and HTTP `status`. `code` defaults to `20000 + status`
   * (e.g. 20503), `message` to the HTTP reason phrase.
   */
  | { kind: 'status'; status: number; code?: number; message?: string }
  /** Destroy the socket without answering (the client sees a connection reset). */
  | { kind: 'reset' }
  /** Never answer; the connection stays open until the client gives up or `stop()` is called. */
  | { kind: 'hang' };

/** Which requests an injected fault applies to, and how often. */
export interface FaultOptions {
  /** How many matching requests the fault applies to; by default until `clearFaults()`/`reset()`. */
  times?: number;
  /**
   * `'Verifications'`: start, fetch and update of verifications; `'VerificationCheck'`: code checks;
   * `'Lookup'`: Lookup v2 phone number queries; `'any'` (default): every request.
   */
  endpoint?: 'Verifications' | 'VerificationCheck' | 'Lookup' | 'any';
}

/**
 * The line types Lookup v2 reports in `line_type_intelligence.type`
 * (https://www.twilio.com/docs/lookup/v2-api/line-type-intelligence); the module's own type.
 */
export type { LineType } from '../config/otp-options.interface.js';

/** Options of {@link TwilioVerifyEmulator}; every one is optional. */
export interface TwilioVerifyEmulatorOptions {
  /** Account sid the client must authenticate with; default a random `AC` + 32 hex digits. */
  accountSid?: string;
  /** Auth token the client must authenticate with; default 32 random hex digits. */
  authToken?: string;
  /** Sid of the one Verify service the emulator serves; default a random `VA` + 32 hex digits. */
  serviceSid?: string;
  /** TCP port; default 0 (any free port, see `url`). */
  port?: number;
  /** Interface to listen on; default `'127.0.0.1'`. */
  host?: string;
  /** Digits in a code, 4 to 10; default 6. */
  codeLength?: number;
  /**
   * How long a code stays valid, in seconds: 120 to 86400 (a Verify service's validity can be
   * set in that range through Twilio Support); default 600. A verification that used up its
   * checks locks its number for as long. The send limit's window stays 10 minutes.
   */
  codeValiditySeconds?: number;
  /**
   * Channels turned off in the Verify service's settings (e.g. `['whatsapp']`): a send on one
   * answers 400 60223 "Delivery channel disabled", as Twilio does. Default: none.
   */
  disabledChannels?: ('sms' | 'call' | 'whatsapp')[];
  /**
   * Clock (epoch milliseconds) used for code validity and rate-limit windows; default `Date.now`.
   * `advanceTime()` adds its offset on top of it.
   */
  now?: () => number;
  /** Called whenever a code is "sent", re-sends included. */
  onDelivery?: (delivery: EmulatorDelivery) => void;
}
