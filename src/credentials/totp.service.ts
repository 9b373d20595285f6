import type { ClientInfo } from '../http/client-info.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { generateSecret, generateURI, verify } from 'otplib';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { MemberAccountsService } from './member-accounts.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  clientKey,
  RateLimiterService,
  type RateSubject,
} from '../rate-limit/rate-limiter.service.js';
import { TotpSecretCipher } from './totp-secret-cipher.js';
import { TotpRepository } from './totp.repository.js';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const CODE = /^\d{6}$/;

/**
 * Wrong authenticator-app codes in a row after which the app is locked until the member proves
 * it is them by another factor (a code sent to the phone): about 100 guesses at a 6-digit code
 * over the app's whole life, a chance of 1 in 10,000 (NIST SP 800-63B 5.2.2).
 */
export const TOTP_MAX_CONSECUTIVE_FAILURES = 100;

/** An app code checked, whose failure the caller counts or forgives once it knows more. */
export interface TotpAttempt {
  /** The code is the app's, and was accepted. */
  accepted: boolean;
  /** The app is locked after too many wrong codes in a row: the code was not checked. */
  locked: boolean;
  /** Counts the wrong code as a failure in a row of the app. */
  fail(): Promise<void>;
  /** The code proved the member by another factor: counts nothing, and unlocks the app. */
  forgive(): Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

/** The refusal of a code for a locked app. */
export function lockedApp(): OtpException {
  return new OtpException(OtpErrorCode.INVALID_CODE, {
    message:
      'Your authenticator app is locked after too many wrong codes. Use a code sent to your phone, which unlocks it.',
  });
}

/** A new authenticator app, shown once: the secret to type, or the URL of its QR code. */
export interface TotpSetup {
  /** Base32 secret, for typing into the app. */
  secret: string;
  /** `otpauth://totp/...`, for a QR code. */
  otpauthUrl: string;
}

/**
 * Authenticator apps (TOTP, RFC 6238): set up (pending until a first code confirms it), checked
 * and removed. Secrets are encrypted at rest with the `totp.encryptionKey`; a code is accepted
 * within one step of drift either way, and never twice (nor one of an earlier step). Checks count
 * in the attempt limits: every check for the client IP, wrong codes for the member.
 */
@Injectable()
export class TotpService {
  private readonly logger = new Logger('OtpModule');
  private readonly cipher: TotpSecretCipher | null;

  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly authenticators: TotpRepository,
    private readonly accounts: MemberAccountsService,
    private readonly limits: RateLimiterService,
    private readonly events: OtpEventsService,
  ) {
    this.cipher = options.totp ? new TotpSecretCipher(options.totp.keys) : null;
  }

  /** Whether authenticator apps are on (the `totp` option). */
  get available(): boolean {
    return this.cipher !== null;
  }

  /** Whether the member has a confirmed authenticator app (locked or not). */
  async isEnabled(memberId: string): Promise<boolean> {
    return (await this.state(memberId)) !== 'none';
  }

  /**
   * `none` without a confirmed app (or with apps off); `locked` after
   * `TOTP_MAX_CONSECUTIVE_FAILURES` wrong codes in a row, until a proof by another factor;
   * `ready` otherwise.
   */
  async state(memberId: string): Promise<'none' | 'locked' | 'ready'> {
    if (!this.available) return 'none';
    const app = await this.authenticators.confirmedState(memberId);
    if (!app) return 'none';
    return app.failedChecks >= TOTP_MAX_CONSECUTIVE_FAILURES ? 'locked' : 'ready';
  }

  /**
   * Starts setting up an authenticator app for the member: a new secret, replacing one not yet
   * confirmed. Refuses with 409 when the member already has one (remove it first).
   */
  async begin(memberId: string): Promise<TotpSetup> {
    const cipher = this.requireCipher();
    const member = await this.accounts.findById(memberId);
    if (!member) throw new OtpException(OtpErrorCode.UNAUTHENTICATED);
    const secret = generateSecret();
    const stored = await this.authenticators.savePending(
      memberId,
      cipher.encrypt(secret, memberId),
      new Date(),
    );
    if (!stored) {
      throw new OtpException(OtpErrorCode.ALREADY_REGISTERED, {
        message: 'An authenticator app is already set up. Remove it first.',
      });
    }
    const label = member.passwordHash === null ? member.phoneNumber : member.email;
    const otpauthUrl = generateURI({ issuer: this.options.totp!.issuer, label, secret });
    return { secret, otpauthUrl };
  }

  /** Confirms a pending authenticator app with a first code from it. */
  async confirm(memberId: string, code: unknown, client: ClientInfo): Promise<void> {
    const row = await this.authenticators.find(memberId);
    if (!row || row.confirmedAt) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, {
        message: 'No authenticator app is waiting for confirmation. Set one up first.',
      });
    }
    if ((await this.check(memberId, code, client, { confirm: true })) !== true) {
      throw new OtpException(OtpErrorCode.INVALID_CODE);
    }
    this.logger.log(`Member ${memberId} turned on an authenticator app`);
    this.events.emit(OtpEvent.TOTP_ENABLED, { memberId });
  }

  /** Removes the member's authenticator app, with a code from it. */
  async disable(memberId: string, code: unknown, client: ClientInfo): Promise<void> {
    if (!(await this.isEnabled(memberId))) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, {
        message: 'No authenticator app is set up.',
      });
    }
    if ((await this.check(memberId, code, client)) !== true) {
      throw new OtpException(OtpErrorCode.INVALID_CODE);
    }
    await this.authenticators.delete(memberId);
    this.logger.log(`Member ${memberId} turned off their authenticator app`);
    this.events.emit(OtpEvent.TOTP_DISABLED, { memberId });
  }

  /**
   * Whether `code` is a code of the member's confirmed app (or, with `confirm`, of the pending
   * one, which it then confirms), accepting it; `null`, with nothing counted, when there is no
   * such app (or apps are off). A wrong code counts as a failure in a row; a locked app refuses
   * with `INVALID_CODE` and a message saying how to unlock it. Throws `TOO_MANY_REQUESTS` over a
   * limit.
   */
  async check(
    memberId: string,
    code: unknown,
    client: ClientInfo,
    how: { confirm?: boolean } = {},
  ): Promise<boolean | null> {
    const attempt = await this.attempt(memberId, code, client, how);
    if (!attempt) return null;
    if (attempt.locked) throw lockedApp();
    if (!attempt.accepted) await attempt.fail();
    return attempt.accepted;
  }

  /**
   * Checks `code` against the member's app without yet counting a wrong one as a failure: the
   * caller may find it is a code sent to the phone instead. `null` (nothing counted) when there
   * is no such app; a locked app is not checked at all.
   */
  async attempt(
    memberId: string,
    code: unknown,
    client: ClientInfo,
    how: { confirm?: boolean } = {},
  ): Promise<TotpAttempt | null> {
    const cipher = this.cipher;
    const row = cipher ? await this.authenticators.find(memberId) : null;
    if (!cipher || !row || Boolean(row.confirmedAt) === Boolean(how.confirm)) return null;
    if (!how.confirm && row.failedChecks >= TOTP_MAX_CONSECUTIVE_FAILURES) {
      return {
        accepted: false,
        locked: true,
        fail: nothing,
        forgive: () => this.unlock(memberId),
      };
    }
    const account: RateSubject = ['checksPerPhone', `totp|${memberId}`];
    const charge = await this.limits.consume([
      ...(client.ip ? [['checksPerIp', clientKey(client.ip)] as const] : []),
      account,
    ]);
    const refused = (counts: boolean): TotpAttempt => ({
      accepted: false,
      locked: false,
      fail: counts ? () => this.recordFailure(memberId, row.failedChecks) : nothing,
      forgive: async () => {
        await charge.undo(account[0]);
        await this.unlock(memberId);
      },
    });
    if (typeof code !== 'string' || !CODE.test(code)) {
      // Cannot be a guess at the secret: the member's budget does not pay for it.
      await charge.undo(account[0]);
      return refused(false);
    }
    const secret = cipher.decrypt(row.secret, memberId);
    if (secret === null) {
      this.logger.error(
        `The authenticator app of member ${memberId} cannot be decrypted with the totp keys`,
      );
      return refused(false);
    }
    const result = await verify({
      secret,
      token: code,
      period: PERIOD_SECONDS,
      epochTolerance: PERIOD_SECONDS,
      afterTimeStep: row.lastTimeStep === null ? undefined : Number(row.lastTimeStep),
    });
    if (!result.valid || !('timeStep' in result)) return refused(true);
    const now = new Date();
    if (!(await this.authenticators.accept(memberId, result.timeStep, now, !!how.confirm))) {
      return refused(true);
    }
    if (cipher.needsRotation(row.secret)) {
      await this.authenticators.reencrypt(memberId, cipher.encrypt(secret, memberId));
    }
    await this.limits.clear([account]);
    return { accepted: true, locked: false, fail: nothing, forgive: nothing };
  }

  /** Counts a wrong code in a row; the one that reaches the cap locks the app, logged once. */
  private async recordFailure(memberId: string, before: number): Promise<void> {
    await this.authenticators.recordFailure(memberId);
    if (before + 1 === TOTP_MAX_CONSECUTIVE_FAILURES) {
      this.logger.warn(
        `The authenticator app of member ${memberId} is locked after ` +
          `${TOTP_MAX_CONSECUTIVE_FAILURES} wrong codes in a row, until a code sent to the phone`,
      );
    }
  }

  /** Forgets the wrong codes in a row: the member proved it is them by another factor. */
  async unlock(memberId: string): Promise<void> {
    if (!this.available) return;
    if (await this.authenticators.resetFailures(memberId)) {
      this.logger.log(`The authenticator app of member ${memberId} is counted afresh`);
    }
  }

  private requireCipher(): TotpSecretCipher {
    if (!this.cipher) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, {
        message: 'Authenticator apps are not enabled.',
      });
    }
    return this.cipher;
  }
}
