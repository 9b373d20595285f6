import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

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

/** One row to insert. */
export interface RowInsert<T extends ObjectLiteral = ObjectLiteral> {
  entity: EntityTarget<T>;
  values: T;
}

interface BetterSqlite3Handle {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  transaction(work: () => void): () => void;
}

/**
 * Inserts rows all-or-nothing. On PostgreSQL this is a TypeORM transaction. On better-sqlite3,
 * TypeORM shares one connection between concurrent requests, so a transaction there could take
 * in (and roll back) other requests' writes; the rows are written instead in one synchronous
 * better-sqlite3 transaction, which nothing can interleave with.
 */
export async function insertAtomically(dataSource: DataSource, rows: RowInsert[]): Promise<void> {
  const queries = rows.map(({ entity, values }) =>
    dataSource.createQueryBuilder().insert().into(entity).values(values).getQueryAndParameters(),
  );
  if (dataSource.options.type === 'better-sqlite3') {
    const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Handle })
      .databaseConnection;
    const statements = queries.map(([sql, params]) => ({ statement: db.prepare(sql), params }));
    db.transaction(() => {
      for (const { statement, params } of statements) statement.run(...params);
    })();
    return;
  }
  await dataSource.transaction(async (manager) => {
    for (const [sql, params] of queries) await manager.query(sql, params);
  });
}
