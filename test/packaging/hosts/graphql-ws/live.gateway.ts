import { UseGuards } from '@nestjs/common';
import { type OnGatewayConnection, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CurrentMember, type MemberView, Public, SessionGuard } from 'nestjs-otp';

/** The README's gateway: a connection without a valid session is closed at its handshake. */
@WebSocketGateway({ path: '/live' })
@UseGuards(SessionGuard)
export class LiveGateway implements OnGatewayConnection {
  constructor(private readonly guard: SessionGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return this.guard.authenticateConnection(client, request);
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentMember() member: MemberView) {
    return { event: 'whoami', data: member };
  }
}

/** Open to visitors (`allowAnonymous`): each message is checked, `@Public()` ones answer all. */
@WebSocketGateway({ path: '/lobby' })
@UseGuards(SessionGuard)
export class LobbyGateway implements OnGatewayConnection {
  constructor(private readonly guard: SessionGuard) {}

  handleConnection(client: WebSocket, request: IncomingMessage) {
    return this.guard.authenticateConnection(client, request, { allowAnonymous: true });
  }

  @SubscribeMessage('my-id')
  myId(@CurrentMember('id') id: string) {
    return { event: 'my-id', data: id };
  }

  @Public()
  @SubscribeMessage('ping')
  ping() {
    return { event: 'pong', data: 'pong' };
  }
}
