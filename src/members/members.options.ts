import { isFQDN } from 'class-validator';
import type { OptionFailure } from '../errors/otp-options.error.js';

/** The options of `OtpModule` about members. */
export interface MembersModuleOptions {
  /**
   * Domain of the placeholder emails given to members created by passwordless login:
   * `<E.164 digits without '+'>@<mailDomain>`.
   */
  mailDomain: string;
}

/** The members options as resolved. */
export interface ResolvedMembersOptions {
  /** Lower-cased. */
  mailDomain: string;
}

/** Checks the members options (`mailDomain` is required: no defaults); throws `fail(...)`. */
export function resolveMembersOptions(
  given: MembersModuleOptions,
  fail: OptionFailure,
): ResolvedMembersOptions {
  const { mailDomain } = given;
  if (typeof mailDomain !== 'string' || !isFQDN(mailDomain)) {
    throw fail('mailDomain', 'must be a domain name such as "example.com"');
  }
  return { mailDomain: mailDomain.toLowerCase() };
}
