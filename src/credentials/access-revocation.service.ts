import { Injectable } from '@nestjs/common';
import { SessionsService } from '../sessions/sessions.service.js';
import { TrustedDevicesRepository } from './trusted-devices.repository.js';

/** What to keep when a member's access is revoked. */
export interface RevocationScope {
  /** The session of the request that made the change, which goes on. */
  keepSessionId?: string;
  /** Keep the member's trusted devices (a change that leaves what they prove alone). */
  keepDevices?: boolean;
}

/**
 * The one place a member's access ends: every session (but the one kept) revoked on every
 * instance, every trusted device forgotten, and the member's cached details dropped everywhere,
 * so that a session kept sees the change at once. Password, phone and email changes, blocking
 * and erasing all go through it.
 */
@Injectable()
export class AccessRevocationService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly devices: TrustedDevicesRepository,
  ) {}

  async revoke(memberId: string, scope: RevocationScope = {}): Promise<void> {
    await this.sessions.revokeAll(memberId, scope.keepSessionId);
    if (!scope.keepDevices) await this.devices.deleteAll(memberId);
    this.sessions.forgetMember(memberId);
  }
}
