import type { MemberView } from '../members/member.entity.js';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { contextRequest } from './session-context.js';

/**
 * The signed-in member (`{ id, email, phoneNumber, status, createdAt }`), or one of its fields:
 * `@CurrentMember() member: MemberView`, `@CurrentMember('id') id: string`. Works in
 * controllers, GraphQL resolvers and WebSocket gateways guarded by `SessionGuard`.
 */
export const CurrentMember = createParamDecorator(
  (field: keyof MemberView | undefined, context: ExecutionContext) => {
    const member = contextRequest(context)?.user;
    return field && member ? member[field] : member;
  },
);
