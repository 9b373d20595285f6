import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { OTP_DATA_SOURCE } from './otp-internal.constants.js';
import { OTP_ENTITIES } from './otp.entities.js';

/**
 * Fails the start of the application, with what to do, when a table of the module is missing:
 * rather than a sign-in answering 500 later. It runs once the application starts (after a
 * host's own `runMigrations()` before `listen()`), one empty read per table.
 */
@Injectable()
export class OtpSchemaCheck implements OnApplicationBootstrap {
  constructor(@Inject(OTP_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const entity of OTP_ENTITIES) {
      const metadata = this.dataSource.getMetadata(entity);
      try {
        await this.dataSource
          .createQueryBuilder()
          .select('1')
          .from(metadata.tablePath, 't')
          .where('1 = 0')
          .getRawMany();
      } catch (error) {
        if (!isMissingTable(error)) throw error;
        throw new Error(
          `OtpModule: the table "${metadata.tableName}" does not exist. Create the module's tables ` +
            "with its migrations (`migrations: OTP_MIGRATIONS` from 'nestjs-otp/migrations' and " +
            '`migrationsRun: true` in the TypeORM options), or with `synchronize: true` in ' +
            'development.',
        );
      }
    }
  }
}

/** SQLite's "no such table" and PostgreSQL's undefined_table (42P01). */
function isMissingTable(error: unknown): boolean {
  const { code, message, driverError } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    driverError?: { code?: unknown; message?: unknown };
  };
  const codes = [code, driverError?.code];
  const messages = [message, driverError?.message].filter((m) => typeof m === 'string');
  return codes.includes('42P01') || messages.some((m) => /no such table/i.test(m as string));
}
