/** The Lookup v2 data packages the module asks for. */
export type LookupField = 'line_type_intelligence' | 'sms_pumping_risk';

/** What Lookup told of a number; `null` where the package was not asked for or had no answer. */
export interface LineFacts {
  /** Line Type Intelligence's `type` (`mobile`, `landline`, `nonFixedVoip`...). */
  lineType: string | null;
  /** SMS Pumping Risk's score, 0 (low) to 100 (high). */
  smsPumpingRiskScore: number | null;
  /** Whether Twilio blocks SMS to the number for pumping. */
  numberBlocked: boolean | null;
}

/** Asks a phone-number intelligence service (Twilio Lookup v2) about a number. */
export interface PhoneLookup {
  /** Fetches the packages in `fields` for an E.164 number; throws when the service fails. */
  fetch(e164: string, fields: readonly LookupField[]): Promise<LineFacts>;
}
