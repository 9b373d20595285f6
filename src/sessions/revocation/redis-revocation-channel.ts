import { type ChannelTiming, PubSubRevocationChannel } from './revocation-channel.js';

/** The connection that subscribes: a duplicate of the host's client. */
export interface RedisSubscriberConnection {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', handler: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end' | 'error', handler: (error?: Error) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/**
 * What the channel needs of a Redis client; an `ioredis` client (or cluster) fits. Messages are
 * published with it; `duplicate()` opens the connection that subscribes, since a subscribed
 * connection can do nothing else.
 */
export interface RedisPubSubClient {
  publish(channel: string, message: string): Promise<unknown>;
  duplicate(): RedisSubscriberConnection;
}

/**
 * Revocations over Redis pub/sub. The subscriber reconnects by itself (ioredis retries and
 * subscribes again); every time it is subscribed again the channel counts as back.
 */
export class RedisRevocationChannel extends PubSubRevocationChannel {
  readonly description: string;
  private subscriber?: RedisSubscriberConnection;

  constructor(
    private readonly redis: RedisPubSubClient,
    private readonly name: string,
    timing?: ChannelTiming,
  ) {
    super(timing);
    this.description = `Redis pub/sub on "${name}"`;
  }

  protected async connect(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => {});
    subscriber.on('close', () => this.listeningStopped());
    subscriber.on('end', () => this.listeningStopped());
    subscriber.on('message', (channel, message) => {
      if (channel === this.name) this.received(message);
    });
    subscriber.on('ready', () => void this.subscribe(subscriber));
    await this.subscribe(subscriber);
  }

  protected async send(payload: string): Promise<void> {
    await this.redis.publish(this.name, payload);
  }

  protected async disconnect(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (!subscriber) return;
    await Promise.race([
      subscriber.quit().catch(() => {}),
      new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
    ]);
    subscriber.disconnect();
  }

  private async subscribe(subscriber: RedisSubscriberConnection): Promise<void> {
    try {
      await subscriber.subscribe(this.name);
    } catch {
      return; // Down: 'ready' subscribes again once the connection is back.
    }
    if (!this.closed && subscriber === this.subscriber) this.listeningStarted();
  }
}
