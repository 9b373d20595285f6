import type { MigrationInterface, QueryRunner } from 'typeorm';
import { family, postgresTable } from './migration-dialect.js';

/**
 * Passkeys: credential ids (unique), public keys and counters, by member, deleted with their
 * member; and the challenges of their ceremonies, by expiry.
 */
export class OtpPasskeys1796700000000 implements MigrationInterface {
  name = 'OtpPasskeys1796700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const table = (name: string) => (postgres ? postgresTable(queryRunner, name) : `"${name}"`);
    const varchar = postgres ? 'character varying' : 'varchar';
    const no = postgres ? 'false' : '0';
    const passkeys = table('otp_passkeys');
    await queryRunner.query(
      `CREATE TABLE ${passkeys} (` +
        `"id" ${varchar}(36) NOT NULL, ` +
        `"member_id" ${varchar}(36) NOT NULL, ` +
        `"credential_id" ${varchar}(1400) NOT NULL, ` +
        `"user_handle" ${varchar}(100) NOT NULL, ` +
        `"public_key" text NOT NULL, ` +
        `"counter" bigint NOT NULL, ` +
        `"transports" ${varchar}(100) NOT NULL DEFAULT '', ` +
        `"backup_eligible" boolean NOT NULL DEFAULT ${no}, ` +
        `"backed_up" boolean NOT NULL DEFAULT ${no}, ` +
        `"aaguid" ${varchar}(36) NOT NULL, ` +
        `"name" ${varchar}(64) NOT NULL, ` +
        `"created_at" bigint NOT NULL, ` +
        `"last_used_at" bigint, ` +
        `CONSTRAINT "uq_otp_passkeys_credential_id" UNIQUE ("credential_id"), ` +
        `CONSTRAINT "pk_otp_passkeys" PRIMARY KEY ("id"), ` +
        `CONSTRAINT "fk_otp_passkeys_member_id" FOREIGN KEY ("member_id") ` +
        `REFERENCES ${table('otp_members')} ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_passkeys_member_id" ON ${passkeys} ("member_id")`,
    );
    const challenges = table('otp_passkey_challenges');
    await queryRunner.query(
      `CREATE TABLE ${challenges} (` +
        `"challenge" ${varchar}(64) NOT NULL, ` +
        `"ceremony" ${varchar}(16) NOT NULL, ` +
        `"session_id" ${varchar}(36), ` +
        `"user_handle" ${varchar}(100), ` +
        `"expires_at" bigint NOT NULL, ` +
        `CONSTRAINT "pk_otp_passkey_challenges" PRIMARY KEY ("challenge"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_passkey_challenges_expires_at" ON ${challenges} ("expires_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const index = (name: string) => (postgres && schema ? `"${schema}"."${name}"` : `"${name}"`);
    const table = (name: string) => (postgres ? postgresTable(queryRunner, name) : `"${name}"`);
    await queryRunner.query(`DROP INDEX ${index('idx_otp_passkey_challenges_expires_at')}`);
    await queryRunner.query(`DROP TABLE ${table('otp_passkey_challenges')}`);
    await queryRunner.query(`DROP INDEX ${index('idx_otp_passkeys_member_id')}`);
    await queryRunner.query(`DROP TABLE ${table('otp_passkeys')}`);
  }
}
