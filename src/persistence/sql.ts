import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * The table of an entity as the data source's driver writes it in SQL: its path (with the data
 * source's schema, if any), each part quoted.
 */
export function quotedTable(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  return dataSource
    .getMetadata(entity)
    .tablePath.split('.')
    .map((part) => dataSource.driver.escape(part))
    .join('.');
}

/**
 * A statement with `:name` parameters turned into the driver's placeholders (`$1` on PostgreSQL,
 * `?` on SQLite), in the order given, to run again and again with `dataSource.query(sql, values)`.
 */
export function preparedSql(dataSource: DataSource, sql: string, names: string[]): string {
  // Placeholders only: the dummy values are strings so that no driver inlines them.
  const parameters = Object.fromEntries(names.map((name) => [name, '']));
  return dataSource.driver.escapeQueryWithParameters(sql, parameters)[0];
}

/** Whether a database error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: unknown } } | null)?.driverError;
  const code = driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === '23505'
  );
}

/** A number column as drivers return it: a number (SQLite) or a string (PostgreSQL bigint). */
export type DbNumber = string | number;
