import type { QueryRunner } from 'typeorm';

const POSTGRES: ReadonlySet<string> = new Set(['postgres', 'aurora-postgres']);
const SQLITE: ReadonlySet<string> = new Set([
  'better-sqlite3',
  'sqljs',
  'capacitor',
  'cordova',
  'expo',
  'nativescript',
  'react-native',
]);

/** The database family of a migration's connection; other databases are refused by name. */
export function family(queryRunner: QueryRunner): 'postgres' | 'sqlite' {
  const type = queryRunner.connection.options.type;
  if (POSTGRES.has(type)) return 'postgres';
  if (SQLITE.has(type)) return 'sqlite';
  throw new Error(`nestjs-otp migrations support SQLite and PostgreSQL, not "${type}"`);
}

/** `"otp_members"`, or `"<schema>"."otp_members"` when the connection names a schema. */
export function postgresTable(queryRunner: QueryRunner, name: string): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  return schema ? `"${schema}"."${name}"` : `"${name}"`;
}
