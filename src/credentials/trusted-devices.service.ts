import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import type { ResolvedOtpOptions } from '../config/resolved-otp-options.interface.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { RESOLVED_OTP_OPTIONS } from '../otp-internal.constants.js';
import {
  hashSessionToken,
  isSessionTokenShape,
  newSessionToken,
} from '../sessions/session-token.js';
import { TrustedDevicesRepository } from './trusted-devices.repository.js';

/** A trusted device as listed to its member. */
export interface TrustedDeviceView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/**
 * Devices a member trusts: after a two-factor sign-in with `rememberDevice`, the device's token
 * lets the member sign in with email and password alone for `trustedDevices.days`. A token is
 * stored as its hash, bound to its member (another member's token is worth nothing), and every
 * device of a member is forgotten when their password or phone changes or they are blocked.
 */
@Injectable()
export class TrustedDevicesService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    @Inject(RESOLVED_OTP_OPTIONS) private readonly options: ResolvedOtpOptions,
    private readonly devices: TrustedDevicesRepository,
    private readonly events: OtpEventsService,
  ) {}

  /** Whether trusted devices are on (`trustedDevices.days` above 0). */
  get available(): boolean {
    return this.options.trustedDevices !== null;
  }

  /** Trusts the device of this sign-in; its token, shown this once. */
  async trust(memberId: string, userAgent?: string): Promise<string> {
    const settings = this.options.trustedDevices;
    if (!settings) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'rememberDevice is not available: trusted devices are turned off',
      });
    }
    const token = newSessionToken();
    const now = Date.now();
    await this.devices.insert({
      id: randomUUID(),
      memberId,
      tokenHash: hashSessionToken(token),
      createdAt: new Date(now),
      expiresAt: new Date(now + settings.ttlMs),
      lastUsedAt: new Date(now),
      userAgent: userAgent ? userAgent.slice(0, 200) : null,
    });
    this.logger.log(`Member ${memberId} trusted a device`);
    this.events.emit(OtpEvent.DEVICE_TRUSTED, { memberId });
    return token;
  }

  /** Whether `token` is a live trusted device of the member; records its use. */
  async recognise(memberId: string, token: unknown): Promise<boolean> {
    if (!this.available || !isSessionTokenShape(token)) return false;
    const device = await this.devices.find(memberId, hashSessionToken(token));
    if (!device) return false;
    const now = new Date();
    if (device.expiresAt <= now) {
      await this.devices.deleteExpired(memberId, now);
      return false;
    }
    await this.devices.touch(device.id, now);
    return true;
  }

  /** The member's live devices, newest first. */
  async list(memberId: string): Promise<TrustedDeviceView[]> {
    const now = Date.now();
    return (await this.devices.list(memberId))
      .filter((device) => device.expiresAt.getTime() > now)
      .map((device) => ({
        id: device.id,
        createdAt: device.createdAt.toISOString(),
        lastUsedAt: device.lastUsedAt.toISOString(),
        expiresAt: device.expiresAt.toISOString(),
        userAgent: device.userAgent,
      }));
  }

  /**
   * Forgets one of the member's devices, logged with the member and device ids (never the
   * token); throws `NOT_FOUND` for another's or none.
   */
  async revoke(memberId: string, id: string): Promise<void> {
    if (!(await this.devices.delete(memberId, id))) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such device.' });
    }
    this.logger.log(`Member ${memberId} forgot trusted device ${id}`);
  }
}
