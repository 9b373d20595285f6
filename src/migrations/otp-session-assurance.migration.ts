import type { MigrationInterface, QueryRunner } from 'typeorm';
import { family, postgresTable } from './migration-dialect.js';

/**
 * Session assurance: the methods that proved each session (`amr`) and its assurance level
 * (`aal`); and the wrong codes in a row of each authenticator app. Sessions made before it have no methods recorded and level 1, and those whose
 * `verified_at` is empty (which used to mean "verified when it began") are asked to re-verify
 * before a sensitive action, since nothing tells a code sign-in from a trusted-device one.
 */
export class OtpSessionAssurance1796600000000 implements MigrationInterface {
  name = 'OtpSessionAssurance1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const sessions = postgres
      ? postgresTable(queryRunner, 'otp_member_sessions')
      : '"otp_member_sessions"';
    const varchar = postgres ? 'character varying' : 'varchar';
    await queryRunner.query(
      `ALTER TABLE ${sessions} ADD COLUMN "amr" ${varchar}(100) NOT NULL DEFAULT ''`,
    );
    await queryRunner.query(`ALTER TABLE ${sessions} ADD COLUMN "aal" smallint NOT NULL DEFAULT 1`);
    const apps = postgres
      ? postgresTable(queryRunner, 'otp_totp_authenticators')
      : '"otp_totp_authenticators"';
    await queryRunner.query(
      `ALTER TABLE ${apps} ADD COLUMN "failed_checks" integer NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = family(queryRunner) === 'postgres';
    const sessions = postgres
      ? postgresTable(queryRunner, 'otp_member_sessions')
      : '"otp_member_sessions"';
    const apps = postgres
      ? postgresTable(queryRunner, 'otp_totp_authenticators')
      : '"otp_totp_authenticators"';
    await queryRunner.query(`ALTER TABLE ${apps} DROP COLUMN "failed_checks"`);
    await queryRunner.query(`ALTER TABLE ${sessions} DROP COLUMN "aal"`);
    await queryRunner.query(`ALTER TABLE ${sessions} DROP COLUMN "amr"`);
  }
}
