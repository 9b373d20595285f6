import {
  HOST_PHONE,
  type HostSignIn,
  passwordlessSignIn,
  type PackedHost,
  type RunningHost,
} from '../support/packed-host.js';
import { packedHost } from './hosts.js';
import { WsClient as Client } from '../support/ws-client.js';

interface GraphqlAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** What a gateway sends for a message refused by SessionGuard. */
const WS_REFUSAL = {
  event: 'exception',
  data: {
    status: 'error',
    statusCode: 401,
    error: 'Unauthorized',
    code: 'UNAUTHENTICATED',
    message: 'Sign in to continue.',
  },
};

/** How the `/live` gateway ends a connection without a valid session. */
const WS_CLOSED = { code: 4401, reason: 'UNAUTHENTICATED' };

describe('a GraphQL and WebSocket host of the packed package, members on a named data source', () => {
  let host: PackedHost;
  let server: RunningHost;
  let signIn: HostSignIn;
  const clients: Client[] = [];

  async function graphql(query: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, ...((await res.json()) as object) } as GraphqlAnswer;
  }

  /** A connection to a gateway path (`/live`, `/lobby`), closed at the end of the test. */
  async function connect(path: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = await Client.open(`${server.url.replace(/^http/, 'ws')}${path}`, headers);
    clients.push(client);
    return client;
  }

  /** The GraphQL answer to a refused `me`: no data, one UNAUTHENTICATED error, no internals. */
  function expectRefused(res: GraphqlAnswer) {
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({
      message: 'Sign in to continue.',
      path: ['me'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|at .*\.js/);
  }

  beforeAll(async () => {
    host = await packedHost('graphql-ws');
    server = await host.start('dist/main.js');
    signIn = await passwordlessSignIn(server.url);
  }, 180_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => host?.stop());

  it('compiles, and signs in by phone through the HTTP routes', () => {
    expect(host.diagnostics).toBe('');
    expect(signIn).toMatchObject({
      isNewMember: true,
      member: { phoneNumber: HOST_PHONE.e164, status: 'approved' },
    });
  });

  it('keeps members and sessions on the named data source only', async () => {
    const res = await fetch(`${server.url}/host/tables`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      default: ['host_notes'],
      accounts: [
        'otp_member_sessions',
        'otp_members',
        'otp_passkey_challenges',
        'otp_passkeys',
        'otp_recovery_codes',
        'otp_totp_authenticators',
        'otp_trusted_devices',
      ],
    });
  });

  describe('the resolver', () => {
    it('answers a valid session, and @CurrentMember() gives the member', async () => {
      const res = await graphql(
        '{ me { id email phoneNumber status } myId }',
        bearer(signIn.sessionToken),
      );
      expect(res).toEqual({
        status: 200,
        data: {
          me: {
            id: signIn.member.id,
            email: signIn.member.email,
            phoneNumber: HOST_PHONE.e164,
            status: 'approved',
          },
          myId: signIn.member.id,
        },
      });
    });

    it('refuses a missing session with extensions.code UNAUTHENTICATED', async () => {
      expectRefused(await graphql('{ me { id } }'));
    });

    it('answers a @Public() query without a session', async () => {
      expect(await graphql('{ ping }')).toEqual({ status: 200, data: { ping: 'pong' } });
    });
  });

  describe('the gateways', () => {
    it('answer a valid session, and @CurrentMember() gives the member', async () => {
      const live = await connect('/live', bearer(signIn.sessionToken));
      expect(await live.request('whoami')).toEqual({
        event: 'whoami',
        data: { ...signIn.member, createdAt: expect.any(String) },
      });
      const lobby = await connect('/lobby', bearer(signIn.sessionToken));
      expect(await lobby.request('my-id')).toEqual({ event: 'my-id', data: signIn.member.id });
    });

    it('refuse a missing session: closed at the handshake, or each guarded message', async () => {
      const live = await connect('/live');
      expect(await live.closed).toEqual(WS_CLOSED);

      const lobby = await connect('/lobby');
      expect(await lobby.request('my-id')).toEqual(WS_REFUSAL);
      expect(await lobby.request('ping')).toEqual({ event: 'pong', data: 'pong' });
      expect(await lobby.request('my-id')).toEqual(WS_REFUSAL);
    });
  });

  // Last: it ends the session of the sign-in.
  describe('a session revoked by an HTTP logout', () => {
    it('refuses it in the resolver and the gateways', async () => {
      const token = signIn.sessionToken;
      const opened = await connect('/lobby', bearer(token));
      expect(await opened.request('my-id')).toEqual({ event: 'my-id', data: signIn.member.id });
      expect((await graphql('{ myId }', bearer(token))).data).toEqual({ myId: signIn.member.id });

      const logout = await fetch(`${server.url}/auth/logout`, {
        method: 'POST',
        headers: bearer(token),
      });
      expect(logout.status).toBe(204);

      expectRefused(await graphql('{ me { id } }', bearer(token)));
      // The connection opened before the logout is refused from its next message on.
      expect(await opened.request('my-id')).toEqual(WS_REFUSAL);
      expect(await opened.request('ping')).toEqual({ event: 'pong', data: 'pong' });
      const live = await connect('/live', bearer(token));
      expect(await live.closed).toEqual(WS_CLOSED);
      const lobby = await connect('/lobby', bearer(token));
      expect(await lobby.request('my-id')).toEqual(WS_REFUSAL);
    });
  });
});
