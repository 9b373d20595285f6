import type { ResolvedCredentialsOptions } from '../credentials/credentials.options.js';
import type { ResolvedMembersOptions } from '../members/members.options.js';
import type { ResolvedPhoneOptions } from '../phone/phone.options.js';
import type { ResolvedRateLimitOptions } from '../rate-limit/rate-limit.options.js';
import type { ResolvedSessionOptions } from '../sessions/session.options.js';
import type { ResolvedTwoFactorOptions } from '../two-factor/two-factor.options.js';
import type { ResolvedVerificationOptions } from '../verification/verification.options.js';

export type { ResolvedRateRule, RuleName } from '../rate-limit/rate-limit.options.js';

/** The options after validation, with every default filled in: each feature's slice together. */
export interface ResolvedOtpOptions
  extends
    ResolvedVerificationOptions,
    ResolvedMembersOptions,
    ResolvedTwoFactorOptions,
    ResolvedPhoneOptions,
    ResolvedCredentialsOptions,
    ResolvedSessionOptions,
    ResolvedRateLimitOptions {}
