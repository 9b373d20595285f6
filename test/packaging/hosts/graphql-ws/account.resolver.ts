import { UseGuards } from '@nestjs/common';
import { Field, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentMember, type MemberView, Public, SessionGuard } from 'nestjs-otp';

@ObjectType('Member')
export class MemberModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  phoneNumber!: string;

  @Field(() => String)
  status!: string;
}

/** The README's resolver: guarded as a whole, with one public query. */
@Resolver()
@UseGuards(SessionGuard)
export class AccountResolver {
  @Query(() => MemberModel)
  me(@CurrentMember() member: MemberView) {
    return member;
  }

  @Query(() => ID)
  myId(@CurrentMember('id') id: string) {
    return id;
  }

  @Public()
  @Query(() => String)
  ping() {
    return 'pong';
  }
}
