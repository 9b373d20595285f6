import { Injectable, Logger } from '@nestjs/common';
import { getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { OtpException } from '../errors/otp.exception.js';
import { OtpEvent } from '../events/otp-events.js';
import { OtpEventsService } from '../events/otp-events.service.js';
import { AccessRevocationService } from '../credentials/access-revocation.service.js';
import { PhoneService } from '../phone/phone.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { MemberAccountsService } from '../credentials/member-accounts.service.js';
import { type MemberStatus, type MemberView, toMemberView } from '../members/member.entity.js';
import { type MemberPageQuery, MembersRepository } from '../members/members.repository.js';
import { ADMIN_DEFAULTS } from './admin.options.js';

/** What `MembersService.page()` lists. */
export interface MemberPageOptions {
  /** Only members with this status; all by default. */
  status?: MemberStatus;
  /**
   * The start of an email, or of a phone number (digits, with or without `+`, spaces, dashes,
   * brackets), or a whole national number without its country code as its country writes it
   * (`(201) 555-0123`, `0612345678`); compared case-insensitively.
   */
  q?: string;
  /** Members per page, 1 to 200; default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of members, oldest first; `nextCursor` is `null` on the last page. */
export interface MemberPage {
  items: MemberView[];
  nextCursor: string | null;
}

const STATUSES: readonly MemberStatus[] = ['pending', 'approved', 'blocked'];
export const MAX_PAGE_SIZE = 200;
const PHONE_QUERY = /^\+?[\d\s().-]+$/;
/** Digits of a national number worth reading in each country's dialling plan. */
const NATIONAL_DIGITS = { min: 4, max: 17 } as const;
/** At most this many readings of a national number are searched (each is one index lookup). */
const MAX_NATIONAL_READINGS = 40;

function invalid(message: string): OtpException {
  return new OtpException(OtpErrorCode.VALIDATION_FAILED, { message });
}

/** The cursor after a member: opaque to clients, `<createdAt>.<id>` in base64url. */
function cursorAfter(member: { createdAt: string; id: string }): string {
  return Buffer.from(`${Date.parse(member.createdAt)}.${member.id}`).toString('base64url');
}

function readCursor(cursor: unknown): MemberPageQuery['after'] {
  if (cursor === undefined) return undefined;
  const match =
    typeof cursor === 'string' && cursor.length <= 80
      ? /^(\d{1,16})\.([A-Za-z0-9-]{1,36})$/.exec(Buffer.from(cursor, 'base64url').toString())
      : null;
  if (!match) throw invalid('cursor must be the nextCursor of a previous page');
  return { createdAt: Number(match[1]), id: match[2] };
}

/** Finds members and changes their status: what an admin does. */
@Injectable()
export class MembersService {
  private readonly logger = new Logger('OtpModule');

  constructor(
    private readonly members: MembersRepository,
    private readonly accounts: MemberAccountsService,
    private readonly sessions: SessionsService,
    private readonly phones: PhoneService,
    private readonly access: AccessRevocationService,
    private readonly events: OtpEventsService,
  ) {}

  /** The member with this id, or `null`. */
  async findById(id: string): Promise<MemberView | null> {
    const member = await this.members.findById(id);
    return member ? toMemberView(member) : null;
  }

  /** The member with this email (compared lower-cased), or `null`. */
  async findByEmail(email: string): Promise<MemberView | null> {
    const member = await this.members.findByEmail(email.trim().toLowerCase());
    return member ? toMemberView(member) : null;
  }

  /** The member with this E.164 phone number, or `null`. */
  async findByPhone(phoneNumber: string): Promise<MemberView | null> {
    const member = await this.members.findByPhone(phoneNumber);
    return member ? toMemberView(member) : null;
  }

  /** Members waiting for approval, oldest first. */
  listPending(): Promise<MemberView[]> {
    return this.list('pending');
  }

  /** Members with a status, oldest first (at most `limit`). */
  async list(
    status: MemberStatus,
    limit: number = ADMIN_DEFAULTS.listLimit,
  ): Promise<MemberView[]> {
    return (await this.members.list(status, limit)).map(toMemberView);
  }

  /**
   * A page of members, oldest first, by status and by the start of an email or phone. Pages by
   * an index whatever the page: as fast among a million members as among a thousand.
   */
  async page(options: MemberPageOptions = {}): Promise<MemberPage> {
    const { status, q, limit = ADMIN_DEFAULTS.pageSize, cursor } = options;
    if (status !== undefined && !STATUSES.includes(status)) {
      throw invalid(`status must be one of ${STATUSES.join(', ')}`);
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw invalid(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    if (q !== undefined && (typeof q !== 'string' || q.length > 254)) {
      throw invalid('q must be at most 254 characters');
    }
    const query: MemberPageQuery = { status, limit, after: readCursor(cursor) };
    const search = q?.trim().toLowerCase() ?? '';
    if (search !== '') {
      const digits = search.replace(/\D/g, '');
      if (PHONE_QUERY.test(search) && digits !== '') {
        // Placeholder emails of passwordless members start with the same digits.
        query.phonePrefix = `+${digits}`;
        query.emailPrefix = digits;
        if (!search.startsWith('+')) query.phoneNumbers = this.nationalReadings(search);
      } else {
        query.emailPrefix = search;
      }
    }
    const rows = await this.members.page(query);
    const items = rows.slice(0, limit).map(toMemberView);
    return {
      items,
      nextCursor: rows.length > limit ? cursorAfter(items[items.length - 1]) : null,
    };
  }

  /**
   * The E.164 numbers that `written`, a phone number without its `+`, is as a whole national
   * number (with or without its trunk prefix) in the countries the module serves
   * (`allowedCountries`, or all): `2015550123` is `+12015550123` in the United States. Only
   * valid numbers count, so a few readings at most; none for a part of a number.
   */
  private nationalReadings(written: string): string[] {
    const digits = written.replace(/\D/g, '').length;
    if (digits < NATIONAL_DIGITS.min || digits > NATIONAL_DIGITS.max) return [];
    const readings = new Set<string>();
    for (const country of getCountries()) {
      if (!this.phones.isCountryAllowed(country)) continue;
      const parsed = parsePhoneNumberFromString(written, country);
      if (parsed?.isValid()) readings.add(parsed.number);
      if (readings.size >= MAX_NATIONAL_READINGS) break;
    }
    return [...readings];
  }

  /**
   * Sets a member's phone, for an admin who checked the member's identity another way (the
   * member lost their phone). Parsed like every number; every session of the member is revoked.
   * Throws `NOT_FOUND`, `ALREADY_REGISTERED` (another member's number), or a phone error.
   */
  async setPhone(id: string, countryCode: string, phoneNumber: string): Promise<MemberView> {
    const { e164 } = this.phones.parse(countryCode, phoneNumber);
    const member = await this.accounts.findById(id);
    if (!member) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    if (member.phoneNumber === e164) return toMemberView(member);
    return toMemberView(await this.accounts.changePhone(member, e164, { method: 'admin' }));
  }

  /**
   * Erases a member with their sessions and recovery codes; their phone and email are free
   * again. Throws `NOT_FOUND` for an unknown member.
   */
  delete(id: string): Promise<void> {
    return this.accounts.erase(id, 'admin');
  }

  /** Whether an email (compared lower-cased) or an E.164 phone already belongs to a member. */
  isTaken(email: string, phoneNumber: string): Promise<boolean> {
    return this.members.isTaken(email.trim().toLowerCase(), phoneNumber);
  }

  /** Approves a pending member. */
  async approve(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'approved');
    this.events.emit(OtpEvent.MEMBER_APPROVED, { memberId: id, method: 'admin' });
    return member;
  }

  /** Blocks a member and revokes every one of their sessions and trusted devices at once. */
  async block(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'blocked');
    await this.access.revoke(id);
    this.events.emit(OtpEvent.MEMBER_BLOCKED, { memberId: id, method: 'admin' });
    return member;
  }

  /** Lifts a block. */
  async unblock(id: string): Promise<MemberView> {
    const member = await this.setStatus(id, 'approved');
    this.events.emit(OtpEvent.MEMBER_UNBLOCKED, { memberId: id, method: 'admin' });
    return member;
  }

  private async setStatus(id: string, status: MemberStatus): Promise<MemberView> {
    if (!(await this.members.setStatus(id, status))) {
      throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    }
    this.sessions.forgetMember(id);
    const member = await this.members.findById(id);
    if (!member) throw new OtpException(OtpErrorCode.NOT_FOUND, { message: 'No such member.' });
    this.logger.log(`Member ${id} is now ${status}`);
    return toMemberView(member);
  }
}
