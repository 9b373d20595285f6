import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  Header,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentMember, type MemberView, OtpException, SessionGuard } from 'nestjs-otp';
import { escapeHtml, htmlPage } from './html.js';

/** A person who is not signed in gets a page that says so, not a JSON error. */
@Catch(OtpException)
class MembersOnlyFilter implements ExceptionFilter {
  catch(exception: OtpException, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(exception.getStatus())
      .type('html')
      .send(
        htmlPage(
          'Members only',
          `      <h1>Members only</h1>
      <p>${escapeHtml(exception.message)}</p>
      <p><a class="button" href="/#login">Sign in</a></p>`,
        ),
      );
  }
}

/** A small page for signed-in members, rendered on the server behind `SessionGuard`. */
@ApiTags('Sample')
@ApiCookieAuth('otp_session')
@Controller('members')
@UseGuards(SessionGuard)
@UseFilters(MembersOnlyFilter)
export class MembersPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Members-only HTML page, protected by SessionGuard' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The page' })
  @ApiUnauthorizedResponse({ description: 'A page asking the visitor to sign in' })
  page(@CurrentMember() member: MemberView): string {
    const since = new Date(member.createdAt).toUTCString();
    return htmlPage(
      'Members only',
      `      <h1>Members only</h1>
      <p>Welcome, <strong>${escapeHtml(member.email)}</strong>. Only signed-in members see this page.</p>
      <p class="muted">Member since ${escapeHtml(since)}.</p>
      <p><a href="/#account">Back to your account</a></p>`,
    );
  }
}
