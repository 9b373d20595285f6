/** Channels a code can be delivered over. */
export type OtpChannel = 'sms' | 'call';
