import type { DataSource } from 'typeorm';
import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { Logger } from '@nestjs/common';
import { createRevocationChannel } from './revocation-channel.factory.js';
import type { RevocationChannel, RevocationMessage } from './revocation-channel.js';

/** What the bus tells the cache. */
export interface RevocationListener {
  /** Another instance revoked sessions, or changed a member. */
  revoked(message: RevocationMessage): void;
  /**
   * The channel went live or down: the cache is emptied (messages may have been missed) and its
   * entries live `ttlMs` from now on.
   */
  ttlChanged(ttlMs: number): void;
}

/**
 * Every revocation of this instance (logout, a revoked or expired session, a member blocked,
 * changed or deleted) sent to every other instance over the configured channel
 * (`session.revocation`), and theirs received. Its state sets how long sessions are cached:
 * `session.revocation.cacheTtlMs` (minutes) while the channel is live, the short
 * `session.cacheTtlMs` while it is down or when there is none. A revocation is sent only once its
 * rows are deleted, so a lookup that starts after the message arrives cannot read them.
 */
export class RevocationBus {
  private readonly logger = new Logger('OtpModule');
  private channel?: RevocationChannel;
  /** Revocations being sent, which closing waits for. */
  private readonly sending = new Set<Promise<void>>();
  /** Whether the channel's state was logged, and as what. */
  private loggedLive?: boolean;

  constructor(private readonly options: ResolvedOtpOptions['session']) {}

  /** Opens the channel (a lost connection is retried; meanwhile the short cache). */
  async start(dataSource: DataSource | undefined, listener: RevocationListener): Promise<void> {
    const channel = createRevocationChannel(this.options.revocation, dataSource);
    if (!channel) return;
    this.channel = channel;
    await channel.start({
      revoked: (message) => listener.revoked(message),
      stateChanged: (live) => listener.ttlChanged(this.stateChanged(channel, live)),
    });
  }

  /** Lets revocations being sent go out, and closes the channel. */
  async close(): Promise<void> {
    await Promise.allSettled(this.sending);
    await this.channel?.close();
    this.channel = undefined;
  }

  /** Tells the other instances; a failure is logged (the rows are gone already). */
  async announce(message: RevocationMessage): Promise<void> {
    // The channel as it was when sent: the app may close it (and forget it) meanwhile.
    const channel = this.channel;
    if (!channel) return;
    const sending = channel.publish(message);
    this.sending.add(sending);
    try {
      await sending;
    } catch (error) {
      this.logger.error(
        `Could not send a session revocation over ${channel.description} ` +
          `(${(error as Error).name}): other instances see it within ${this.options.cacheTtlMs} ms ` +
          'only if their channel is down too',
      );
    } finally {
      this.sending.delete(sending);
    }
  }

  /** Logs a change of the channel's state once; the cache TTL it sets. */
  private stateChanged(channel: RevocationChannel, live: boolean): number {
    const ttlMs = live ? this.options.revocation.cacheTtlMs : this.options.cacheTtlMs;
    if (this.loggedLive === live) return ttlMs;
    const first = this.loggedLive === undefined;
    this.loggedLive = live;
    if (live) {
      this.logger.log(
        `Session revocations ${first ? 'go' : 'go again'} over ${channel.description}; ` +
          `sessions are cached for ${ttlMs} ms`,
      );
    } else {
      this.logger.warn(
        `Session revocation channel ${channel.description} is ${first ? 'not connected' : 'down'}: ` +
          `sessions are cached for ${ttlMs} ms until it is back`,
      );
    }
    return ttlMs;
  }
}
