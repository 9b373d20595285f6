import type { DataSource } from 'typeorm';
import { OtpOptionsError } from '../../errors/otp-options.error.js';
import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { PostgresRevocationChannel } from './postgres-revocation-channel.js';
import { ProcessRevocationChannel } from './process-revocation-channel.js';
import { RedisRevocationChannel } from './redis-revocation-channel.js';
import type { RevocationChannel } from './revocation-channel.js';

/** The channel `session.revocation.channel` asks for on this data source, or none. */
export function createRevocationChannel(
  revocation: ResolvedOtpOptions['session']['revocation'],
  dataSource: DataSource | undefined,
): RevocationChannel | undefined {
  const { channel, name } = revocation;
  if (channel === false) return undefined;
  if (typeof channel === 'object') return new RedisRevocationChannel(channel.redis, name);
  const postgres = dataSource?.options.type === 'postgres';
  if (channel === 'postgres' && !postgres) {
    throw new OtpOptionsError(
      'session.revocation.channel',
      `is "postgres" but the data source is ${dataSource?.options.type ?? 'unknown'}`,
    );
  }
  if (postgres && (channel === 'postgres' || channel === 'auto')) {
    return new PostgresRevocationChannel(dataSource!, name, revocation.postgresConnection);
  }
  return new ProcessRevocationChannel(name, channel === 'single-process');
}
