/** Optional details of the client making a request: kept with its session, used for limits. */
export interface ClientInfo {
  /** The client's `User-Agent`, kept with the session it signs in to. */
  userAgent?: string;
  /** The client's IP address, for per-client limits (and Twilio's Fraud Guard, `DeviceIp`). */
  ip?: string;
  /** The client's `Accept-Language` header: the language of codes under `locale: 'auto'`. */
  acceptLanguage?: string;
  /**
   * The Verify locale to send codes in (`'fr'`, `'pt-BR'`), e.g. a member's saved language; it
   * wins over the `locale` option. A locale Twilio Verify does not support is refused with 400.
   */
  locale?: string;
}
