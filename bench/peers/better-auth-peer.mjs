/**
 * better-auth beside the module in the bench app: two instances on one SQLite database (WAL),
 * the session cookie cache off and on, and their session check as a host would call it
 * (`auth.api.getSession({ headers })`). Plain JavaScript, loaded by the bench app from here so
 * that better-auth resolves from bench/peers/node_modules, not from the project's.
 */
import { createHmac, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { fromNodeHeaders } from 'better-auth/node';

const SECRET = 'bench-better-auth-secret-0123456789abcdef';
const BASE_URL = 'http://127.0.0.1';

/** Opens (and migrates) better-auth's database in `file`. */
export async function createBetterAuthPeer(file) {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  const common = {
    database,
    secret: SECRET,
    baseURL: BASE_URL,
    emailAndPassword: { enabled: true },
    telemetry: { enabled: false },
    logger: { disabled: true },
  };
  const plain = betterAuth({ ...common, session: { cookieCache: { enabled: false } } });
  const cached = betterAuth({
    ...common,
    // better-auth's recommended setting: the session is read from a signed cookie for 5 minutes.
    session: { cookieCache: { enabled: true, maxAge: 5 * 60 } },
  });
  const context = await plain.$context;
  await context.runMigrations();
  const cookieName = context.authCookies.sessionToken.name;

  /** The session's cookie as better-auth signs it: `token.HMAC-SHA256(token)`, URL-encoded. */
  const sessionCookie = (token) => {
    const signature = createHmac('sha256', SECRET).update(token).digest('base64');
    return `${cookieName}=${encodeURIComponent(`${token}.${signature}`)}`;
  };

  return {
    /** Users with one session each; the Cookie headers without and with the cookie cache. */
    async seed(count) {
      const plainCookies = [];
      const cachedCookies = [];
      for (let i = 0; i < count; i += 1) {
        const user = await context.internalAdapter.createUser({
          email: `peer-${randomUUID()}@bench.example`,
          name: 'Bench',
          emailVerified: true,
        });
        const session = await context.internalAdapter.createSession(user.id);
        const cookie = sessionCookie(session.token);
        plainCookies.push(cookie);
        // The first check with the cache on sets the signed session-data cookie.
        const { headers } = await cached.api.getSession({
          headers: new globalThis.Headers({ cookie }),
          returnHeaders: true,
        });
        const data = (headers.getSetCookie?.() ?? [])
          .map((line) => line.split(';')[0])
          .filter((pair) => pair.includes('session_data'));
        cachedCookies.push([cookie, ...data].join('; '));
      }
      return { plain: plainCookies, cached: cachedCookies };
    },
    /** The member of the request, or null: better-auth's session check. */
    async check(cache, nodeHeaders) {
      const auth = cache ? cached : plain;
      const found = await auth.api.getSession({ headers: fromNodeHeaders(nodeHeaders) });
      return found ? found.user.id : null;
    },
    close() {
      database.close();
    },
  };
}
