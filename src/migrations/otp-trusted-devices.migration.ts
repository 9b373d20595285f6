import type { MigrationInterface, QueryRunner } from 'typeorm';
import { family, postgresTable } from './migration-dialect.js';

/** Trusted devices: token hashes (unique), by member, deleted with their member. */
export class OtpTrustedDevices1796500000000 implements MigrationInterface {
  name = 'OtpTrustedDevices1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const table = (name: string) => (postgres ? postgresTable(queryRunner, name) : `"${name}"`);
    const varchar = postgres ? 'character varying' : 'varchar';
    const devices = table('otp_trusted_devices');
    await queryRunner.query(
      `CREATE TABLE ${devices} (` +
        `"id" ${varchar}(36) NOT NULL, ` +
        `"member_id" ${varchar}(36) NOT NULL, ` +
        `"token_hash" ${varchar}(64) NOT NULL, ` +
        `"created_at" bigint NOT NULL, ` +
        `"expires_at" bigint NOT NULL, ` +
        `"last_used_at" bigint NOT NULL, ` +
        `"user_agent" ${varchar}(200), ` +
        `CONSTRAINT "uq_otp_trusted_devices_token_hash" UNIQUE ("token_hash"), ` +
        `CONSTRAINT "pk_otp_trusted_devices" PRIMARY KEY ("id"), ` +
        `CONSTRAINT "fk_otp_trusted_devices_member_id" FOREIGN KEY ("member_id") ` +
        `REFERENCES ${table('otp_members')} ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_trusted_devices_member_id" ON ${devices} ("member_id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    const index =
      postgres && schema
        ? `"${schema}"."idx_otp_trusted_devices_member_id"`
        : '"idx_otp_trusted_devices_member_id"';
    await queryRunner.query(`DROP INDEX ${index}`);
    await queryRunner.query(
      `DROP TABLE ${postgres ? postgresTable(queryRunner, 'otp_trusted_devices') : '"otp_trusted_devices"'}`,
    );
  }
}
