import type { DataSource } from 'typeorm';
import { type ChannelTiming, PubSubRevocationChannel } from './revocation-channel.js';

/** What the channel needs of a `pg` client. */
interface PgClient {
  connect(): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  on(
    event: 'notification',
    handler: (message: { channel: string; payload?: string }) => void,
  ): void;
  on(event: 'error' | 'end', handler: (error?: Error) => void): void;
  removeAllListeners(): void;
}

type PgClientClass = new (config: Record<string, unknown>) => PgClient;

/** Reconnection delays: doubled after each failure, from 100 ms up to 5 s. */
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/** Connection settings of a TypeORM PostgreSQL data source, for one `pg` client. */
function clientConfig(dataSource: DataSource): Record<string, unknown> {
  const options = dataSource.options as unknown as Record<string, unknown> & {
    replication?: { master: Record<string, unknown> };
    extra?: Record<string, unknown>;
  };
  const credentials = options.replication?.master ?? options;
  return {
    ...(options.extra ?? {}),
    connectionString: credentials.url,
    host: credentials.host,
    port: credentials.port,
    user: credentials.username,
    password: credentials.password,
    database: credentials.database,
    ssl: credentials.ssl ?? options.ssl,
    connectionTimeoutMillis: options.connectTimeoutMS,
    application_name: 'nestjs-otp sessions',
    keepAlive: true,
  };
}

/**
 * Revocations over PostgreSQL `LISTEN/NOTIFY`, on one dedicated connection made from the data
 * source's own settings (and `postgresConnection` over them) with the `pg` driver TypeORM
 * already loaded. Messages are sent with
 * `pg_notify()` over that connection, or through the data source while it is down. A lost
 * connection is reopened, waiting longer after each failure.
 */
export class PostgresRevocationChannel extends PubSubRevocationChannel {
  readonly description: string;
  private client?: PgClient;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    /** Settings of the listening connection over the data source's. */
    private readonly connection: Record<string, unknown> = {},
    timing?: ChannelTiming,
  ) {
    super(timing);
    this.description = `PostgreSQL LISTEN/NOTIFY on "${name}"`;
  }

  protected async connect(): Promise<void> {
    if (this.closed) return;
    const Client = (this.dataSource.driver as unknown as { postgres: { Client: PgClientClass } })
      .postgres.Client;
    const client = new Client({ ...clientConfig(this.dataSource), ...this.connection });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === this.name && message.payload) this.received(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.name}"`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.listeningStarted();
  }

  protected async send(payload: string): Promise<void> {
    const sql = 'SELECT pg_notify($1, $2)';
    if (this.client) await this.client.query(sql, [this.name, payload]);
    else await this.dataSource.query(sql, [this.name, payload]);
  }

  protected async disconnect(): Promise<void> {
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => {});
      await client.end().catch(() => {});
    }
  }

  /** The connection failed or ended: down until a new one listens. */
  private lost(client: PgClient): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => {});
    void client.end().catch(() => {});
    this.listeningStopped();
    if (this.closed || this.retryTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(LAST_RETRY_MS, this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
