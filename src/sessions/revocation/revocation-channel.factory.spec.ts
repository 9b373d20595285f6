import type { DataSource } from 'typeorm';
import { resolveOtpOptions } from '../../config/resolve-options.js';
import type { SessionRevocationOptions } from '../../config/otp-options.interface.js';
import { PostgresRevocationChannel } from './postgres-revocation-channel.js';
import { ProcessRevocationChannel } from './process-revocation-channel.js';
import { createRevocationChannel } from './revocation-channel.factory.js';
import { RedisRevocationChannel } from './redis-revocation-channel.js';

const sqlite = { options: { type: 'better-sqlite3' } } as unknown as DataSource;
const postgres = { options: { type: 'postgres' } } as unknown as DataSource;

function revocation(options: SessionRevocationOptions = {}) {
  return resolveOtpOptions({
    twilio: {
      accountSid: 'AC' + '0'.repeat(32),
      authToken: 'x'.repeat(32),
      verifyServiceSid: 'VA' + '0'.repeat(32),
    },
    mailDomain: 'phone.example.org',
    session: { revocation: options },
  }).session.revocation;
}

describe('createRevocationChannel', () => {
  it('listens on PostgreSQL by default when the data source is PostgreSQL', () => {
    expect(createRevocationChannel(revocation(), postgres)).toBeInstanceOf(
      PostgresRevocationChannel,
    );
  });

  it('stays within the process on another database, and says it is not for other processes', () => {
    const channel = createRevocationChannel(revocation(), sqlite);
    expect(channel).toBeInstanceOf(ProcessRevocationChannel);
    expect(channel!.description).toContain('other processes: short cache');
  });

  it('uses Redis when given a client, whatever the database', () => {
    const redis = { publish: async () => 1, duplicate: () => ({}) as never };
    expect(createRevocationChannel(revocation({ channel: { redis } }), postgres)).toBeInstanceOf(
      RedisRevocationChannel,
    );
  });

  it('refuses "postgres" on another database, naming the option', () => {
    expect(() => createRevocationChannel(revocation({ channel: 'postgres' }), sqlite)).toThrow(
      'option "session.revocation.channel" is "postgres" but the data source is better-sqlite3',
    );
  });

  it('opens none when turned off', () => {
    expect(createRevocationChannel(revocation({ channel: false }), postgres)).toBeUndefined();
  });
});
