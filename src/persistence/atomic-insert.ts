import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

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
 * Inserts rows all-or-nothing. On PostgreSQL the inserts go as one statement (each but the last
 * in a `WITH` clause), atomic on its own and one round trip; on other drivers, in a TypeORM
 * transaction. On better-sqlite3, TypeORM shares one connection between concurrent requests, so
 * a transaction there could take in (and roll back) other requests' writes; the rows are written
 * instead in one synchronous better-sqlite3 transaction, which nothing can interleave with.
 */
export async function insertAtomically(dataSource: DataSource, rows: RowInsert[]): Promise<void> {
  await writeAtomically(
    dataSource,
    rows.map(({ entity, values }) =>
      dataSource.createQueryBuilder().insert().into(entity).values(values).getQueryAndParameters(),
    ),
  );
}

/**
 * Runs writes (inserts, updates, deletes, as TypeORM's query builder writes them) all-or-nothing,
 * the way `insertAtomically` does: one statement on PostgreSQL, one synchronous transaction on
 * better-sqlite3, a TypeORM transaction elsewhere. On PostgreSQL every part sees the rows as they
 * were before the statement: the writes must not depend on each other's effects.
 */
export async function writeAtomically(
  dataSource: DataSource,
  queries: [string, unknown[]][],
): Promise<void> {
  if (dataSource.options.type === 'better-sqlite3') {
    const db = (dataSource.driver as unknown as { databaseConnection: BetterSqlite3Handle })
      .databaseConnection;
    const statements = queries.map(([sql, params]) => ({ statement: db.prepare(sql), params }));
    db.transaction(() => {
      for (const { statement, params } of statements) statement.run(...params);
    })();
    return;
  }
  if (dataSource.options.type === 'postgres') {
    const [sql, params] = oneStatement(queries);
    await dataSource.query(sql, params);
    return;
  }
  await dataSource.transaction(async (manager) => {
    for (const [sql, params] of queries) await manager.query(sql, params);
  });
}

/**
 * PostgreSQL inserts (with `$n` placeholders only, as TypeORM's query builder writes them) as one
 * statement: `WITH i0 AS (INSERT …), i1 AS (INSERT …) INSERT …`, placeholders renumbered. The
 * foreign keys between the rows hold: they are checked at the end of the statement.
 */
function oneStatement(queries: [string, unknown[]][]): [string, unknown[]] {
  const params: unknown[] = [];
  const statements = queries.map(([sql, own]) => {
    const offset = params.length;
    params.push(...own);
    return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  const last = statements.pop()!;
  const withs = statements.map((sql, i) => `i${i} AS (${sql})`);
  return [withs.length > 0 ? `WITH ${withs.join(', ')} ${last}` : last, params];
}
