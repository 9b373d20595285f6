import type { MigrationInterface, QueryRunner } from 'typeorm';
import { family, postgresTable } from './migration-dialect.js';

/**
 * What a member's life cycle needs: single-use recovery codes (hashes only, deleted with their
 * member), when a session last checked a code (`verified_at`, for re-verification), and the
 * indexes of the admin listing: pages by `(created_at, id)` with or without a status, and on
 * PostgreSQL prefix searches by email or phone (`varchar_pattern_ops`; SQLite's `GLOB` uses the
 * unique indexes).
 */
export class OtpAccountLifecycle1796300000000 implements MigrationInterface {
  name = 'OtpAccountLifecycle1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const members = postgres ? postgresTable(queryRunner, 'otp_members') : '"otp_members"';
    const sessions = postgres
      ? postgresTable(queryRunner, 'otp_member_sessions')
      : '"otp_member_sessions"';
    const codes = postgres
      ? postgresTable(queryRunner, 'otp_recovery_codes')
      : '"otp_recovery_codes"';
    const varchar = postgres ? 'character varying' : 'varchar';
    await queryRunner.query(`ALTER TABLE ${sessions} ADD "verified_at" bigint`);
    await queryRunner.query(
      `CREATE TABLE ${codes} (` +
        `"id" ${varchar}(36) NOT NULL, ` +
        `"member_id" ${varchar}(36) NOT NULL, ` +
        `"code_hash" ${varchar}(64) NOT NULL, ` +
        `"created_at" bigint NOT NULL, ` +
        `"used_at" bigint, ` +
        `CONSTRAINT "pk_otp_recovery_codes" PRIMARY KEY ("id"), ` +
        `CONSTRAINT "fk_otp_recovery_codes_member_id" FOREIGN KEY ("member_id") ` +
        `REFERENCES ${members} ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_recovery_codes_member_id" ON ${codes} ("member_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_members_created_at_id" ON ${members} ("created_at", "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_otp_members_status_created_at_id" ON ${members} ("status", "created_at", "id")`,
    );
    if (postgres) {
      await queryRunner.query(
        `CREATE INDEX "idx_otp_members_email_prefix" ON ${members} ("email" varchar_pattern_ops)`,
      );
      await queryRunner.query(
        `CREATE INDEX "idx_otp_members_phone_number_prefix" ON ${members} ("phone_number" varchar_pattern_ops)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const index = (name: string) => {
      const schema = (queryRunner.connection.options as { schema?: string }).schema;
      return postgres && schema ? `"${schema}"."${name}"` : `"${name}"`;
    };
    const sessions = postgres
      ? postgresTable(queryRunner, 'otp_member_sessions')
      : '"otp_member_sessions"';
    const codes = postgres
      ? postgresTable(queryRunner, 'otp_recovery_codes')
      : '"otp_recovery_codes"';
    if (postgres) {
      await queryRunner.query(`DROP INDEX ${index('idx_otp_members_phone_number_prefix')}`);
      await queryRunner.query(`DROP INDEX ${index('idx_otp_members_email_prefix')}`);
    }
    await queryRunner.query(`DROP INDEX ${index('idx_otp_members_status_created_at_id')}`);
    await queryRunner.query(`DROP INDEX ${index('idx_otp_members_created_at_id')}`);
    await queryRunner.query(`DROP INDEX ${index('idx_otp_recovery_codes_member_id')}`);
    await queryRunner.query(`DROP TABLE ${codes}`);
    await queryRunner.query(`ALTER TABLE ${sessions} DROP COLUMN "verified_at"`);
  }
}
