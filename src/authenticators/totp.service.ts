import { Inject, Injectable, Logger } from '@nestjs/common';
import { generateSecret, generateURI, verify } from 'otplib';
import type { ClientInfo } from '../common/client-info.js';
import { OtpErrorCode } from '../common/otp-error-code.js';
import { OtpException } from '../common/otp.exception.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { MemberAccounts } from '../members/member-accounts.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import { clientKey, RateLimiter, type RateSubject } from '../rate-limit/rate-limiter.service.js';
import { TotpSecretCipher } from './totp-secret-cipher.js';
import { TotpRepository } from './totp.repository.js';

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
const CODE = /^\d{6}$/;

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
    private readonly accounts: MemberAccounts,
    private readonly limits: RateLimiter,
    private readonly events: OtpEventsService,
  ) {
    this.cipher = options.totp ? new TotpSecretCipher(options.totp.keys) : null;
  }

  /** Whether authenticator apps are on (the `totp` option). */
  get available(): boolean {
    return this.cipher !== null;
  }

  /** Whether the member has a confirmed authenticator app. */
  async isEnabled(memberId: string): Promise<boolean> {
    return this.available && (await this.authenticators.isConfirmed(memberId));
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
   * such app (or apps are off). Throws `TOO_MANY_REQUESTS` over a limit.
   */
  async check(
    memberId: string,
    code: unknown,
    client: ClientInfo,
    how: { confirm?: boolean } = {},
  ): Promise<boolean | null> {
    const cipher = this.cipher;
    const row = cipher ? await this.authenticators.find(memberId) : null;
    if (!cipher || !row || Boolean(row.confirmedAt) === Boolean(how.confirm)) return null;
    const account: RateSubject = ['checksPerPhone', `totp|${memberId}`];
    const charge = await this.limits.consume([
      ...(client.ip ? [['checksPerIp', clientKey(client.ip)] as const] : []),
      account,
    ]);
    if (typeof code !== 'string' || !CODE.test(code)) {
      await charge.undo(account[0]);
      return false;
    }
    const secret = cipher.decrypt(row.secret, memberId);
    if (secret === null) {
      this.logger.error(
        `The authenticator app of member ${memberId} cannot be decrypted with the totp keys`,
      );
      return false;
    }
    const result = await verify({
      secret,
      token: code,
      period: PERIOD_SECONDS,
      epochTolerance: PERIOD_SECONDS,
      afterTimeStep: row.lastTimeStep === null ? undefined : Number(row.lastTimeStep),
    });
    if (!result.valid || !('timeStep' in result)) return false;
    const now = new Date();
    if (!(await this.authenticators.accept(memberId, result.timeStep, now, !!how.confirm))) {
      return false;
    }
    if (cipher.needsRotation(row.secret)) {
      await this.authenticators.reencrypt(memberId, cipher.encrypt(secret, memberId));
    }
    await this.limits.clear([account]);
    return true;
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
