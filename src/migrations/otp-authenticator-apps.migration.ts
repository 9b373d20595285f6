import type { MigrationInterface, QueryRunner } from 'typeorm';
import { family, postgresTable } from './migration-dialect.js';

/**
 * Authenticator apps: one per member at most (its id is the key), the secret encrypted by the
 * module, and the last time step accepted; deleted with their member.
 */
export class OtpAuthenticatorApps1796400000000 implements MigrationInterface {
  name = 'OtpAuthenticatorApps1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const table = (name: string) => (postgres ? postgresTable(queryRunner, name) : `"${name}"`);
    const varchar = postgres ? 'character varying' : 'varchar';
    await queryRunner.query(
      `CREATE TABLE ${table('otp_totp_authenticators')} (` +
        `"member_id" ${varchar}(36) NOT NULL, ` +
        `"secret" ${varchar}(255) NOT NULL, ` +
        `"created_at" bigint NOT NULL, ` +
        `"confirmed_at" bigint, ` +
        `"last_time_step" bigint, ` +
        `CONSTRAINT "pk_otp_totp_authenticators" PRIMARY KEY ("member_id"), ` +
        `CONSTRAINT "fk_otp_totp_authenticators_member_id" FOREIGN KEY ("member_id") ` +
        `REFERENCES ${table('otp_members')} ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const table = postgres
      ? postgresTable(queryRunner, 'otp_totp_authenticators')
      : '"otp_totp_authenticators"';
    await queryRunner.query(`DROP TABLE ${table}`);
  }
}
