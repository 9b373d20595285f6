import { UseGuards } from '@nestjs/common';
import {
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  type WsResponse,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CurrentMember, type MemberView, Public, SessionGuard } from 'nestjs-otp';
import { signInWithCookie } from './support/cookie-sign-in.js';
import { bearer, signInByPhone } from './support/flows.js';
import { createTestApp, type TestApp, US_E164 } from './support/test-app.js';
import { WebSocket } from 'ws';
import { WsAdapterModule } from './support/ws-host.js';
import { WsClient as Client } from './support/ws-client.js';

/**
 * Accepts every connection, remembering its upgrade request; each message is checked by the
 * guard, so only `ping` answers a connection without a session.
 */
@WebSocketGateway({ path: '/live' })
@UseGuards(SessionGuard)
class LiveGateway implements OnGatewayConnection {
  constructor(private readonly guard: SessionGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return this.guard.authenticateConnection(client, request, { allowAnonymous: true });
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentMember() member: MemberView): WsResponse<MemberView> {
    return { event: 'whoami', data: member };
  }

  @SubscribeMessage('my-id')
  myId(@CurrentMember('id') id: string): WsResponse<string> {
    return { event: 'my-id', data: id };
  }

  @Public()
  @SubscribeMessage('ping')
  ping(): WsResponse<string> {
    return { event: 'pong', data: 'pong' };
  }
}

/** Closes a connection without a valid session at its handshake. */
@WebSocketGateway({ path: '/members' })
@UseGuards(SessionGuard)
class MembersGateway implements OnGatewayConnection {
  constructor(private readonly guard: SessionGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return this.guard.authenticateConnection(client, request);
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentMember() member: MemberView): WsResponse<MemberView> {
    return { event: 'whoami', data: member };
  }
}

const REFUSAL = {
  event: 'exception',
  data: {
    status: 'error',
    statusCode: 401,
    error: 'Unauthorized',
    code: 'UNAUTHENTICATED',
    message: 'Sign in to continue.',
  },
};

describe('WebSocket gateways behind SessionGuard', () => {
  let t: TestApp;
  let base: string;
  const clients: Client[] = [];

  /** A connection that the test closes at its end. */
  async function connect(path: string, headers: Record<string, string> = {}): Promise<Client> {
    const client = await Client.open(`${base}${path}`, headers);
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    t = await createTestApp({
      otp: { session: { cookie: { secure: false } } },
      imports: [WsAdapterModule],
      providers: [LiveGateway, MembersGateway],
    });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    base = `ws://127.0.0.1:${port}`;
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => t.close());

  it('answers the messages of a valid session, and @CurrentMember() gives the member', async () => {
    const { sessionToken, member } = await signInByPhone(t);
    const client = await connect('/live', bearer(sessionToken));
    const whoami = await client.request('whoami');
    expect(whoami).toEqual({
      event: 'whoami',
      data: {
        id: member.id,
        email: member.email,
        phoneNumber: US_E164,
        status: 'approved',
        createdAt: expect.any(String),
      },
    });
    expect(await client.request('my-id')).toEqual({ event: 'my-id', data: member.id });
  });

  it('reads the session cookie of the handshake, as browsers send it', async () => {
    const { cookie, member } = await signInWithCookie(t);
    const client = await connect('/live', { Cookie: cookie });
    expect(await client.request('my-id')).toEqual({
      event: 'my-id',
      data: member.id,
    });
  });

  it('refuses the guarded messages of a connection without a session, and answers @Public() ones', async () => {
    const client = await connect('/live');
    expect(await client.request('whoami')).toEqual(REFUSAL);
    expect(await client.request('ping')).toEqual({ event: 'pong', data: 'pong' });
    expect(await client.request('my-id')).toEqual(REFUSAL);
  });

  it('refuses a forged token', async () => {
    const client = await connect('/live', bearer('f'.repeat(43)));
    expect(await client.request('whoami')).toEqual(REFUSAL);
  });

  it('refuses the next message of a connection whose session is revoked', async () => {
    const { sessionToken, member } = await signInByPhone(t);
    const client = await connect('/live', bearer(sessionToken));
    expect(await client.request('my-id')).toEqual({ event: 'my-id', data: member.id });
    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    expect(await client.request('my-id')).toEqual(REFUSAL);
    expect(await client.request('ping')).toEqual({ event: 'pong', data: 'pong' });
  });

  it('closes at the handshake a connection without a valid session, with code 4401', async () => {
    const anonymous = await connect('/members');
    expect(await anonymous.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED' });

    const { sessionToken, member } = await signInByPhone(t);
    const signedIn = await connect('/members', bearer(sessionToken));
    expect(await signedIn.request('whoami')).toMatchObject({ data: { id: member.id } });

    await t.http.post('/auth/logout').set(bearer(sessionToken)).expect(204);
    const revoked = await connect('/members', bearer(sessionToken));
    expect(await revoked.closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED' });
    // The connection opened before the logout is refused from its next message on.
    expect(await signedIn.request('whoami')).toEqual(REFUSAL);
  });
});
