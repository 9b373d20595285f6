import { Inject, Injectable } from '@nestjs/common';
import { Repository } from 'typeorm';
import {
  OTP_PASSKEY_CHALLENGE_REPOSITORY,
  OTP_PASSKEY_REPOSITORY,
} from '../../otp-internal.constants.js';
import { type PasskeyCeremony, PasskeyChallenge } from './passkey-challenge.entity.js';
import { Passkey } from './passkey.entity.js';

/** Where passkeys and the challenges of their ceremonies are stored. Not exported. */
@Injectable()
export class PasskeysRepository {
  constructor(
    @Inject(OTP_PASSKEY_REPOSITORY) private readonly passkeys: Repository<Passkey>,
    @Inject(OTP_PASSKEY_CHALLENGE_REPOSITORY)
    private readonly challenges: Repository<PasskeyChallenge>,
  ) {}

  /** Stores a passkey; a credential id stored before fails with the driver's unique violation. */
  async insert(passkey: Passkey): Promise<void> {
    await this.passkeys.insert(passkey);
  }

  /** The member's passkeys, oldest first. */
  list(memberId: string): Promise<Passkey[]> {
    return this.passkeys.find({ where: { memberId }, order: { createdAt: 'ASC' } });
  }

  count(memberId: string): Promise<number> {
    return this.passkeys.countBy({ memberId });
  }

  /** The passkey of this credential id, whoever's it is. */
  findByCredentialId(credentialId: string): Promise<Passkey | null> {
    return this.passkeys.findOneBy({ credentialId });
  }

  /** One of the member's passkeys. */
  find(memberId: string, id: string): Promise<Passkey | null> {
    return this.passkeys.findOneBy({ memberId, id });
  }

  /** The user handle of the member's passkeys, if they have any. */
  async userHandle(memberId: string): Promise<string | undefined> {
    const row = await this.passkeys.findOne({
      where: { memberId },
      select: { id: true, userHandle: true },
      order: { createdAt: 'ASC' },
    });
    return row?.userHandle;
  }

  /**
   * Records a use: the new counter, backup state and time, if the stored counter is still
   * `counter` (of two concurrent uses of one assertion, one wins). Whether it did.
   */
  async recordUse(
    id: string,
    counter: number,
    next: { counter: number; backedUp: boolean; at: Date },
  ): Promise<boolean> {
    const result = await this.passkeys
      .createQueryBuilder()
      .update()
      .set({ counter: next.counter, backedUp: next.backedUp, lastUsedAt: next.at })
      .where('id = :id AND counter = :counter', { id, counter })
      .execute();
    return result.affected === 1;
  }

  async rename(memberId: string, id: string, name: string): Promise<boolean> {
    const result = await this.passkeys.update({ memberId, id }, { name });
    return Boolean(result.affected);
  }

  async delete(memberId: string, id: string): Promise<boolean> {
    const result = await this.passkeys.delete({ memberId, id });
    return Boolean(result.affected);
  }

  /** Keeps a challenge for `ttlMs`; expired ones are swept on the way. */
  async saveChallenge(
    challenge: string,
    ceremony: PasskeyCeremony,
    bound: { sessionId: string | null; userHandle?: string },
    now: Date,
    ttlMs: number,
  ): Promise<void> {
    await this.challenges
      .createQueryBuilder()
      .delete()
      .where('expires_at <= :now', { now: now.getTime() })
      .execute();
    await this.challenges.insert({
      challenge,
      ceremony,
      sessionId: bound.sessionId,
      userHandle: bound.userHandle ?? null,
      expiresAt: new Date(now.getTime() + ttlMs),
    });
  }

  /**
   * Takes a challenge once: the challenge as kept, if it was there, unexpired, for this ceremony
   * and session, and no one took it first; else `null`. A challenge of another ceremony or
   * session is left where it is.
   */
  async takeChallenge(
    challenge: string,
    ceremony: PasskeyCeremony,
    sessionId: string | null,
    now: Date,
  ): Promise<PasskeyChallenge | null> {
    const found = await this.challenges.findOneBy({ challenge, ceremony });
    if (!found || found.expiresAt <= now || found.sessionId !== sessionId) return null;
    const taken = await this.challenges.delete({ challenge, ceremony });
    return taken.affected === 1 ? found : null;
  }
}
