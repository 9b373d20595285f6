import { randomInt } from 'node:crypto';

import type { EmulatorDelivery } from '../emulator.types.js';
import { newSid } from './sid.util.js';
import { channelDisabled, invalidParam, maxCheckAttempts, notFound } from './twilio-api.error.js';
import {
  CODE,
  DEFAULT_CODE_LENGTH,
  MAX_CHECKS,
  SEND_WINDOW_MS,
  SUPPORTED_CHANNELS,
  SUPPORTED_LOCALES,
} from './verify.constants.js';
import { VerifyLimits } from './verify-limits.js';
import {
  requireE164,
  requireParam,
  sendOptions,
  type SendOptions,
  type VerifyParams,
} from './verify-params.js';
import type { Verification } from './verification.interface.js';

/** Settings of a {@link VerifyState}. */
export interface VerifyStateOptions {
  /** Sid of the Verify service (named in the 404 of an unsupported `Locale`). */
  serviceSid: string;
  /** The clock, epoch milliseconds. */
  now: () => number;
  /** Digits in a code, 4 to 10; default 6. */
  codeLength?: number;
  /** How long a code stays valid, 120 to 86400 seconds; default 600. */
  codeValiditySeconds?: number;
  /** Channels turned off in the service's settings. */
  disabledChannels?: readonly string[];
  /** Called whenever a code is sent, re-sends included. */
  onDelivery?: (delivery: EmulatorDelivery) => void;
}

/** A number whose verification used up its checks, until that verification expires. */
interface Lock {
  sid: string;
  until: number;
}

/**
 * Twilio Verify's rules without HTTP: verifications and their codes, statuses and expiry, the
 * send, check and status fetch limits, and the codes sent. Each operation takes the parameters by
 * Twilio's names and throws a `TwilioApiError` with Twilio's status and error code when Twilio
 * would refuse; one that addresses a verification that does not exist (or no longer does) answers
 * `undefined`, which the caller reports as 404 on the path it was asked for.
 */
export class VerifyState {
  private readonly serviceSid: string;
  private readonly now: () => number;
  private readonly codeLength: number;
  private readonly validityMs: number;
  private readonly disabledChannels: ReadonlySet<string>;
  private readonly onDelivery?: (delivery: EmulatorDelivery) => void;

  private readonly verifications = new Map<string, Verification>();
  private readonly limits = new VerifyLimits();
  private readonly locks = new Map<string, Lock>();
  /** The number of every verification created, deleted ones included, by sid. */
  private readonly numbers = new Map<string, string>();
  private readonly deliveryLog: EmulatorDelivery[] = [];

  /**
   * @throws RangeError if `codeLength` or `codeValiditySeconds` is out of range.
   */
  constructor(options: VerifyStateOptions) {
    this.serviceSid = options.serviceSid;
    this.now = options.now;
    this.codeLength = options.codeLength ?? DEFAULT_CODE_LENGTH;
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
   * Starts a verification (`To`, `Channel` and the optional send parameters): sends a new code,
   * or re-sends the pending verification's code on the channel asked for.
   */
  start(params: VerifyParams): Verification {
    const to = requireE164(params, 'To');
    const channel = requireParam(params, 'Channel');
    if (!SUPPORTED_CHANNELS.has(channel)) throw invalidParam('Channel', channel);
    if (this.disabledChannels.has(channel)) throw channelDisabled();
    const send = sendOptions(params);
    if (send.locale !== undefined && !SUPPORTED_LOCALES.has(send.locale)) {
      // Twilio answers an unsupported Locale as a missing resource (the translation).
      throw notFound(`/v2/Services/${this.serviceSid}/Verifications`);
    }
    this.refuseWhileLocked(to);
    this.limits.consumeSend(to, this.now());

    const now = this.now();
    const verification = this.pendingFor(to) ?? this.createVerification(to, channel, now);
    verification.channel = channel;
    verification.updatedAt = now;
    verification.sendAttempts.push({ sid: newSid('VL'), channel, at: now });
    this.deliver(verification, now, send);
    return copy(verification);
  }

  /**
   * Checks `Code` against the pending verification addressed by `VerificationSid`, else by `To`.
   * The fifth wrong code uses up the verification: it is deleted, and its number stays locked
   * (60202) until the verification would have expired. `undefined`: no such pending verification.
   */
  check(params: VerifyParams): Verification | undefined {
    const code = requireParam(params, 'Code');
    if (!CODE.test(code)) throw invalidParam('Code', code);
    const verification = this.checkTarget(params);
    if (!verification) return undefined;
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
    return copy(verification);
  }

  /**
   * A pending or canceled verification by sid, or the pending one by `To` number (approved,
   * expired and used-up ones are deleted), counted against the number's status fetch limits.
   */
  fetch(sidOrTo: string): Verification | undefined {
    const verification = this.find(sidOrTo);
    this.limits.consumeStatusFetch(this.numbers.get(sidOrTo) ?? sidOrTo, this.now());
    return verification && copy(verification);
  }

  /**
   * Ends the pending verification addressed by sid or `To` number with `Status` (`canceled` or
   * `approved`). `undefined`: no such pending verification.
   */
  update(sidOrTo: string, params: VerifyParams): Verification | undefined {
    const status = requireParam(params, 'Status');
    if (status !== 'canceled' && status !== 'approved') throw invalidParam('Status', status);
    const verification = this.find(sidOrTo);
    if (!verification || verification.status !== 'pending') return undefined;
    verification.status = status;
    verification.updatedAt = this.now();
    this.finish(verification);
    return copy(verification);
  }

  /** Every code sent so far (only those sent to `to` if given), oldest first. */
  deliveries(to?: string): EmulatorDelivery[] {
    return this.deliveryLog
      .filter((delivery) => to === undefined || delivery.to === to)
      .map((delivery) => ({ ...delivery, at: new Date(delivery.at) }));
  }

  /** Forgets verifications, deliveries, locks and the send and status fetch counters. */
  reset(): void {
    this.verifications.clear();
    this.limits.reset();
    this.locks.clear();
    this.numbers.clear();
    this.deliveryLog.length = 0;
  }

  /**
   * Ends a verification's lifecycle (approved or canceled): the number's send attempts no longer
   * count (Twilio lifts 60203 then), and an approved verification is deleted.
   */
  private finish(verification: Verification): void {
    this.limits.liftSends(verification.to);
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
   * number locked by too many checks answers 60202; anything else is `undefined`.
   */
  private checkTarget(params: VerifyParams): Verification | undefined {
    if (params.VerificationSid !== undefined) {
      const sid = params.VerificationSid;
      const verification = this.bySid(sid);
      if (verification?.status === 'pending') return verification;
      const lock = [...this.locks.entries()].find(([, entry]) => entry.sid === sid);
      if (lock && this.activeLock(lock[0])) throw maxCheckAttempts();
      return undefined;
    }
    const to = requireE164(params, 'To');
    if (this.activeLock(to)) throw maxCheckAttempts();
    return this.pendingFor(to);
  }

  /** A verification by sid (pending or canceled) or by `To` number (the pending one). */
  private find(sidOrTo: string): Verification | undefined {
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
   * Deletes a pending verification once its validity is over (Twilio deletes expired ones);
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
}

/** A copy of `verification` that later changes do not reach. */
function copy(verification: Verification): Verification {
  return {
    ...verification,
    sendAttempts: verification.sendAttempts.map((attempt) => ({ ...attempt })),
  };
}
