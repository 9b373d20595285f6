import { type CanActivate, Injectable } from '@nestjs/common';
import { requirePostgresUrl, shareTestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

requirePostgresUrl();

/** Members in the table: a page must cost the same among them as among a handful. */
const ROWS = 200_000;
const LIMIT = 50;

@Injectable()
class LetAdminsIn implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('Admin listing on PostgreSQL, among 200,000 members', () => {
  let t: TestApp;
  let statements: { sql: string; parameters: unknown[] }[];

  beforeAll(async () => {
    const database = shareTestDatabase();
    try {
      t = await createTestApp({ extras: { admin: { guard: LetAdminsIn } } });
    } finally {
      database.stopSharing();
    }
    // One member a second; every tenth blocked; emails and phones unique.
    await t.dataSource.query(
      `INSERT INTO otp_members (id, email, phone_number, status, created_at, updated_at)
       SELECT lpad(n::text, 36, '0'), 'member' || n || '@example.com',
              '+1999' || lpad(n::text, 7, '0'),
              CASE WHEN n % 10 = 0 THEN 'blocked' ELSE 'approved' END, n * 1000, n * 1000
         FROM generate_series(1, ${ROWS}) AS n`,
    );
    await t.dataSource.query('ANALYZE otp_members');
    statements = [];
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (sql, parameters, queryRunner) => {
      if (/FROM \S*otp_members/.test(sql) && /ORDER BY created_at, id/.test(sql)) {
        statements.push({ sql, parameters: (parameters as unknown[]) ?? [] });
      }
      logQuery(sql, parameters, queryRunner);
    };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The plan of the page query that `query` makes, run for real (EXPLAIN ANALYZE). */
  async function planOf(query: Record<string, string>): Promise<PlanNode> {
    statements = [];
    await t.http.get('/auth/admin/members').query(query).expect(200);
    expect(statements).toHaveLength(1);
    const [{ sql, parameters }] = statements;
    const [row] = await t.dataSource.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, parameters);
    return (row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan;
  }

  /** Rows read from the members table by the plan's scans. */
  function rowsRead(plan: PlanNode): number {
    return nodes(plan)
      .filter((node) => node['Relation Name'] === 'otp_members' || node['Index Name'])
      .reduce((sum, node) => sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0);
  }

  /** The cursor after the member created at second `n` (what a page ending there answers). */
  function cursorAfter(n: number): string {
    return Buffer.from(`${n * 1000}.${String(n).padStart(36, '0')}`).toString('base64url');
  }

  it('reads one page of rows through the (created_at, id) index, at the start and 190,000 rows in', async () => {
    for (const query of <Record<string, string>[]>[
      { limit: String(LIMIT) },
      { limit: String(LIMIT), cursor: cursorAfter(190_000) },
    ]) {
      const plan = await planOf(query);
      const scans = nodes(plan).filter((node) => node['Relation Name'] === 'otp_members');
      expect(scans.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
        ['Index Scan', 'idx_otp_members_created_at_id'],
      ]);
      expect(nodes(plan).some((node) => node['Node Type'] === 'Sort')).toBe(false);
      expect(rowsRead(plan)).toBeLessThanOrEqual(LIMIT + 1);
    }
  });

  it('reads one page of a status through the (status, created_at, id) index, deep in too', async () => {
    for (const query of <Record<string, string>[]>[
      { status: 'blocked', limit: String(LIMIT) },
      { status: 'blocked', limit: String(LIMIT), cursor: cursorAfter(150_000) },
    ]) {
      const plan = await planOf(query);
      const scans = nodes(plan).filter((node) => node['Relation Name'] === 'otp_members');
      expect(scans.map((node) => [node['Node Type'], node['Index Name']])).toEqual([
        ['Index Scan', 'idx_otp_members_status_created_at_id'],
      ]);
      expect(rowsRead(plan)).toBeLessThanOrEqual(LIMIT + 1);
    }
  });

  it('finds members by the start of an email or phone through the prefix indexes', async () => {
    const byEmail = await planOf({ q: 'member19999' });
    const byPhone = await planOf({ q: '+1 999 019 999' });
    for (const plan of [byEmail, byPhone]) {
      expect(nodes(plan).some((node) => node['Node Type'] === 'Seq Scan')).toBe(false);
      expect(
        nodes(plan)
          .map((node) => node['Index Name'])
          .filter(Boolean),
      ).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^idx_otp_members_(email|phone_number)_prefix$/),
        ]),
      );
    }
    const found = await t.http.get('/auth/admin/members?q=member19999').expect(200);
    expect(found.body.items.map((m: { email: string }) => m.email)).toEqual([
      'member19999@example.com',
      'member199990@example.com',
      'member199991@example.com',
      'member199992@example.com',
      'member199993@example.com',
      'member199994@example.com',
      'member199995@example.com',
      'member199996@example.com',
      'member199997@example.com',
      'member199998@example.com',
      'member199999@example.com',
    ]);
  });
});
