import { requirePostgresUrl, shareTestDatabase } from '../support/database.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

requirePostgresUrl();

const PASSWORD = 'correct horse battery staple';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** Rows of each table besides the test's own, so that the planner weighs a real table. */
const ROWS = 20_000;

interface Statement {
  sql: string;
  parameters: unknown[] | undefined;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** Every table read of a plan: `otp_members: Index Scan using uq_otp_members_email`. */
function reads(plan: PlanNode): string[] {
  return nodes(plan)
    .filter((node) => node['Relation Name'])
    .map(
      (node) =>
        `${node['Relation Name']}: ${node['Node Type']}` +
        (node['Index Name'] ? ` using ${node['Index Name']}` : ''),
    );
}

describe('Query plans of the sign-in and guard lookups on PostgreSQL', () => {
  let t: TestApp;
  let statements: Statement[];

  beforeAll(async () => {
    // The tables as a host that runs the migrations has them.
    const database = shareTestDatabase();
    try {
      t = await createTestApp();
    } finally {
      database.stopSharing();
    }
    await t.dataSource.query(
      `INSERT INTO otp_members (id, email, phone_number, status, created_at, updated_at)
       SELECT 'seed-' || n, 'seed' || n || '@example.com', '+1999' || lpad(n::text, 7, '0'),
              'approved', 0, 0
         FROM generate_series(1, ${ROWS}) AS n`,
    );
    await t.dataSource.query(
      `INSERT INTO otp_member_sessions (id, member_id, token_hash, created_at, expires_at, last_seen_at)
       SELECT 'seed-' || n, 'seed-' || n, encode(sha256(n::text::bytea), 'hex'), 0, 0, 0
         FROM generate_series(1, ${ROWS}) AS n`,
    );
    await t.dataSource.query('ANALYZE otp_members');
    await t.dataSource.query('ANALYZE otp_member_sessions');

    // Record every statement the module sends from here on.
    statements = [];
    const logger = t.dataSource.logger;
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (sql, parameters, queryRunner) => {
      statements.push({ sql, parameters: Array.isArray(parameters) ? parameters : undefined });
      logQuery(sql, parameters, queryRunner);
    };

    // Two-factor: sign-up, sign-in by email, the guard, the session list, logout.
    const who = { email: 'alice@example.com', phoneNumber: '(201) 555-0161', countryCode: 'US' };
    await t.http
      .post('/auth/2fa/register/send')
      .send({ ...who, channel: 'sms' })
      .expect(200);
    await t.http
      .post('/auth/2fa/register')
      .send({ ...who, password: PASSWORD, confirmationCode: t.emulator.lastCode('+12015550161') })
      .expect(201);
    t.emulator.advanceTime(61 * 60_000);
    await t.http
      .post('/auth/2fa/login/send')
      .send({ email: who.email, password: PASSWORD, channel: 'sms' })
      .expect(200);
    const signedIn = await t.http
      .post('/auth/2fa/login')
      .send({
        email: who.email,
        password: PASSWORD,
        confirmationCode: t.emulator.lastCode('+12015550161'),
      })
      .expect(200);
    await t.http.get('/auth/me').set(bearer(signedIn.body.sessionToken)).expect(200);
    await t.http.get('/members-only').set(bearer(signedIn.body.sessionToken)).expect(200);
    await t.http.get('/auth/sessions').set(bearer(signedIn.body.sessionToken)).expect(200);
    await t.http.post('/auth/logout').set(bearer(signedIn.body.sessionToken)).expect(204);

    // Passwordless: first sign-in (creates the member), second sign-in (finds it), the guard.
    for (let i = 0; i < 2; i += 1) {
      t.emulator.advanceTime(61 * 60_000);
      await t.http
        .post('/auth/otp/send')
        .send({ channel: 'sms', countryCode: 'US', phoneNumber: '(201) 555-0162' })
        .expect(200);
      const res = await t.http
        .post('/auth/otp/login')
        .send({
          confirmationCode: t.emulator.lastCode('+12015550162'),
          countryCode: 'US',
          phoneNumber: '(201) 555-0162',
        })
        .expect(200);
      await t.http.get('/auth/me').set(bearer(res.body.sessionToken)).expect(200);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** The plan of each recorded read, update or delete of the module's tables. */
  async function plans(match: RegExp): Promise<{ sql: string; reads: string[] }[]> {
    const found = statements.filter(
      ({ sql }) => /^\s*(SELECT|UPDATE|DELETE)\b/i.test(sql) && match.test(sql),
    );
    const result = [];
    for (const { sql, parameters } of found) {
      const [row] = await t.dataSource.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters);
      const plan = (row['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan;
      result.push({ sql, reads: reads(plan) });
    }
    return result;
  }

  it('the guard finds a session by its token hash through the unique index, and its member by primary key', async () => {
    const lookups = await plans(/otp_member_sessions"? s INNER JOIN \S*otp_members"? m/);
    expect(lookups.length).toBeGreaterThanOrEqual(3);
    for (const lookup of lookups) {
      expect(lookup.reads.sort()).toEqual([
        'otp_member_sessions: Index Scan using uq_otp_member_sessions_token_hash',
        'otp_members: Index Scan using pk_otp_members',
      ]);
    }
  });

  it('passwordless sign-in finds the member by phone through the unique index', async () => {
    const lookups = await plans(/\bphone_number"? = \$1/);
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    for (const lookup of lookups) {
      // The unique index, or the admin search's prefix index on the same column (its operator
      // class answers `=` too): one index scan either way.
      expect(lookup.reads).toEqual([
        expect.stringMatching(
          /^otp_members: Index Scan using (uq_otp_members_phone_number|idx_otp_members_phone_number_prefix)$/,
        ),
      ]);
    }
  });

  it('two-factor sign-in finds the member by email through the unique index', async () => {
    const lookups = await plans(/\bemail"? = \$1$/m);
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    for (const lookup of lookups) {
      expect(lookup.reads).toEqual([
        expect.stringMatching(
          /^otp_members: Index Scan using (uq_otp_members_email|idx_otp_members_email_prefix)$/,
        ),
      ]);
    }
  });

  it('no statement of these flows reads a whole table', async () => {
    const all = await plans(/otp_member/);
    expect(all.length).toBeGreaterThan(10);
    const sequential = all.filter((p) => p.reads.some((read) => /Seq Scan/.test(read)));
    expect(sequential).toEqual([]);
  });
});
