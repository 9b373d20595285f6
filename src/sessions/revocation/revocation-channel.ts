import { randomUUID } from 'node:crypto';

/** What one instance tells the others: drop these sessions, or every session of a member. */
export type RevocationMessage = { sessions: string[] } | { member: string };

/** What a channel tells the sessions service. */
export interface RevocationListener {
  /** Another instance revoked sessions, or a member changed. */
  revoked(message: RevocationMessage): void;
  /**
   * The channel went down (`false`: messages may be lost until it is back) or came back
   * (`true`: listening again; messages sent meanwhile may have been missed).
   */
  stateChanged(live: boolean): void;
}

/** How revocations reach the other instances of an app. */
export interface RevocationChannel {
  /** For the log, e.g. `PostgreSQL LISTEN/NOTIFY on "nestjs_otp_sessions"`. */
  readonly description: string;
  /** Starts listening; resolves once listening or once the first attempt failed. */
  start(listener: RevocationListener): Promise<void>;
  /** Tells every other instance. Rejects when the message could not be sent. */
  publish(message: RevocationMessage): Promise<void>;
  close(): Promise<void>;
}

/** The wire form: `o` the sender, then `s` session ids, `m` a member id or `p` a heartbeat. */
interface WireMessage {
  o: string;
  s?: string[];
  m?: string;
  p?: 1;
}

/** PostgreSQL's NOTIFY takes at most 8000 bytes; session ids are 36 characters. */
const IDS_PER_MESSAGE = 150;

export interface ChannelTiming {
  /** How often an instance sends itself a heartbeat over the channel. */
  heartbeatMs: number;
  /** Without its own heartbeat back for this long, the channel counts as down. */
  silenceMs: number;
}

export const DEFAULT_CHANNEL_TIMING: ChannelTiming = { heartbeatMs: 1_000, silenceMs: 3_500 };

/**
 * What the channels share: the wire form, ignoring this instance's own messages, and the
 * state. A channel is live while its connection listens and this instance's own heartbeats come
 * back through it; a connection that dies silently is noticed within `silenceMs`.
 */
export abstract class PubSubRevocationChannel implements RevocationChannel {
  abstract readonly description: string;
  private readonly origin = randomUUID();
  private listener?: RevocationListener;
  private listening = false;
  private live = false;
  private lastHeartbeat = 0;
  private lastBeat = 0;
  private timer?: NodeJS.Timeout;
  protected closed = false;

  constructor(private readonly timing: ChannelTiming = DEFAULT_CHANNEL_TIMING) {}

  async start(listener: RevocationListener): Promise<void> {
    this.listener = listener;
    this.lastBeat = Date.now();
    this.timer = setInterval(() => this.beat(), this.timing.heartbeatMs);
    this.timer.unref();
    await this.connect();
  }

  async publish(message: RevocationMessage): Promise<void> {
    if ('member' in message) {
      await this.send(JSON.stringify({ o: this.origin, m: message.member } satisfies WireMessage));
      return;
    }
    for (let i = 0; i < message.sessions.length; i += IDS_PER_MESSAGE) {
      const s = message.sessions.slice(i, i + IDS_PER_MESSAGE);
      await this.send(JSON.stringify({ o: this.origin, s } satisfies WireMessage));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.listening = false;
    await this.disconnect();
  }

  /** Opens the listening connection (and keeps reopening it until `close()`). */
  protected abstract connect(): Promise<void>;
  /** Sends one message to every listener, this instance included. */
  protected abstract send(payload: string): Promise<void>;
  protected abstract disconnect(): Promise<void>;

  /** For subclasses: the connection listens (again). */
  protected listeningStarted(): void {
    this.listening = true;
    // Live once our own heartbeat has come back: the round trip works.
    void this.send(JSON.stringify({ o: this.origin, p: 1 } satisfies WireMessage)).catch(() => {});
  }

  /** For subclasses: the connection is lost. */
  protected listeningStopped(): void {
    this.listening = false;
    this.setLive(false);
  }

  /** For subclasses: a message arrived. */
  protected received(payload: string): void {
    let message: WireMessage;
    try {
      message = JSON.parse(payload) as WireMessage;
    } catch {
      return;
    }
    if (message.o === this.origin) {
      if (message.p === 1) {
        this.lastHeartbeat = Date.now();
        if (this.listening) this.setLive(true);
      }
      return;
    }
    if (Array.isArray(message.s)) {
      const sessions = message.s.filter((id): id is string => typeof id === 'string');
      this.listener?.revoked({ sessions });
    } else if (typeof message.m === 'string') {
      this.listener?.revoked({ member: message.m });
    }
  }

  private beat(): void {
    if (this.closed) return;
    const now = Date.now();
    // After a stall of the event loop (a long synchronous task), a heartbeat may be waiting
    // unread: judge the silence at the next beat, once I/O has had its turn.
    const stalled = now - this.lastBeat > 2 * this.timing.heartbeatMs;
    this.lastBeat = now;
    if (this.live && !stalled && now - this.lastHeartbeat > this.timing.silenceMs) {
      this.setLive(false);
    }
    if (this.listening) {
      void this.send(JSON.stringify({ o: this.origin, p: 1 } satisfies WireMessage)).catch(
        () => {},
      );
    }
  }

  private setLive(live: boolean): void {
    if (live === this.live || this.closed) return;
    this.live = live;
    this.listener?.stateChanged(live);
  }
}
