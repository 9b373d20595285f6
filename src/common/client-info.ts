/** Optional details of the client making a request: kept with its session, used for limits. */
export interface ClientInfo {
  /** The client's `User-Agent`, kept with the session it signs in to. */
  userAgent?: string;
  /** The client's IP address, for per-client limits. */
  ip?: string;
}
