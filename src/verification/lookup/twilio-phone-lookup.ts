import type { ResolvedOtpOptions } from '../../config/resolved-otp-options.interface.js';
import { createTwilioClient } from '../twilio-verification.provider.js';
import type { LineFacts, LookupField, PhoneLookup } from './phone-lookup.interface.js';

type TwilioClient = ReturnType<typeof createTwilioClient>;

/** Twilio Lookup v2 over the official SDK, on the host `twilio.baseUrl` names when set. */
export class TwilioPhoneLookup implements PhoneLookup {
  private readonly client: TwilioClient;

  constructor(options: NonNullable<ResolvedOtpOptions['twilio']>) {
    this.client = createTwilioClient(options);
  }

  async fetch(e164: string, fields: readonly LookupField[]): Promise<LineFacts> {
    const answer = await this.client.lookups.v2
      .phoneNumbers(e164)
      .fetch({ fields: fields.join(',') });
    const line = answer.lineTypeIntelligence as { type?: unknown } | null | undefined;
    const risk = answer.smsPumpingRisk as
      { smsPumpingRiskScore?: unknown; numberBlocked?: unknown } | null | undefined;
    return {
      lineType: typeof line?.type === 'string' ? line.type : null,
      smsPumpingRiskScore:
        typeof risk?.smsPumpingRiskScore === 'number' ? risk.smsPumpingRiskScore : null,
      numberBlocked: typeof risk?.numberBlocked === 'boolean' ? risk.numberBlocked : null,
    };
  }
}
