import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { MemberView } from '../members/member.entity.js';
import type { OtpRequest } from './session-request.interface.js';

/**
 * The signed-in member (`{ id, email, phoneNumber, status, createdAt }`), or one of its fields:
 * `@CurrentMember() member: MemberView`, `@CurrentMember('id') id: string`.
 */
export const CurrentMember = createParamDecorator(
  (field: keyof MemberView | undefined, context: ExecutionContext) => {
    const member = context.switchToHttp().getRequest<OtpRequest>().user;
    return field && member ? member[field] : member;
  },
);
