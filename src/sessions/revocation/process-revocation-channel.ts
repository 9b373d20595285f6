import type {
  RevocationChannel,
  RevocationListener,
  RevocationMessage,
} from './revocation-channel.js';

/** Listeners of every in-process channel, by channel name. */
const listeners = new Map<string, Set<RevocationListener>>();

/**
 * Revocations passed between the module instances of one process (several Nest apps in one
 * process hear each other). `single`: the host declared that no other process uses the
 * database, so the channel reaches every instance and the long cache applies; otherwise it is
 * never live and the short `session.cacheTtlMs` bounds what other processes may miss.
 */
export class ProcessRevocationChannel implements RevocationChannel {
  readonly description: string;
  private listener?: RevocationListener;

  constructor(
    private readonly name: string,
    private readonly single: boolean,
  ) {
    this.description = single ? 'this process only' : 'this process (other processes: short cache)';
  }

  async start(listener: RevocationListener): Promise<void> {
    this.listener = listener;
    let set = listeners.get(this.name);
    if (!set) listeners.set(this.name, (set = new Set()));
    set.add(listener);
    if (this.single) listener.stateChanged(true);
  }

  async publish(message: RevocationMessage): Promise<void> {
    for (const other of listeners.get(this.name) ?? []) {
      if (other !== this.listener) other.revoked(message);
    }
  }

  async close(): Promise<void> {
    const set = listeners.get(this.name);
    if (!this.listener || !set) return;
    set.delete(this.listener);
    if (set.size === 0) listeners.delete(this.name);
  }
}
