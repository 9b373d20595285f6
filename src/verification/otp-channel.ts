/** Channels a code can be delivered over. */
export type OtpChannel = 'sms' | 'call' | 'whatsapp';

/** Every channel the module knows, in the order forms list them. */
export const OTP_CHANNELS: readonly OtpChannel[] = ['sms', 'call', 'whatsapp'];
