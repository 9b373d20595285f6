import { Inject, Injectable } from '@nestjs/common';
import { LessThanOrEqual, Repository } from 'typeorm';
import { OTP_TRUSTED_DEVICE_REPOSITORY } from '../otp-internal.constants.js';
import { TrustedDevice } from './trusted-device.entity.js';

/** Where trusted devices are stored. Not exported. */
@Injectable()
export class TrustedDevicesRepository {
  constructor(
    @Inject(OTP_TRUSTED_DEVICE_REPOSITORY) private readonly devices: Repository<TrustedDevice>,
  ) {}

  async insert(device: TrustedDevice): Promise<void> {
    await this.devices.insert(device);
  }

  /** The member's device with this token hash (a token of another member finds nothing). */
  find(memberId: string, tokenHash: string): Promise<TrustedDevice | null> {
    return this.devices.findOneBy({ memberId, tokenHash });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.devices.update({ id }, { lastUsedAt: at });
  }

  /** The member's devices, newest first. */
  list(memberId: string): Promise<TrustedDevice[]> {
    return this.devices.find({ where: { memberId }, order: { createdAt: 'DESC' } });
  }

  /** Forgets one of the member's devices; whether it existed. */
  async delete(memberId: string, id: string): Promise<boolean> {
    const result = await this.devices.delete({ memberId, id });
    return Boolean(result.affected);
  }

  /** Forgets every device of the member; how many. */
  async deleteAll(memberId: string): Promise<number> {
    const result = await this.devices.delete({ memberId });
    return result.affected ?? 0;
  }

  /** Forgets the member's expired devices. */
  async deleteExpired(memberId: string, now: Date): Promise<void> {
    await this.devices.delete({ memberId, expiresAt: LessThanOrEqual(now) });
  }
}
