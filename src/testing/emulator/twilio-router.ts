import type { FaultEndpoint } from './fault-queue.js';
import type { LookupState } from './lookup-state.js';
import { methodNotAllowed, notFound } from './twilio-api.error.js';
import type { VerifyParams } from './verify-params.js';
import type { VerifyState } from './verify-state.js';
import {
  resourceUrl,
  verificationCheckJson,
  verificationJson,
  type WireContext,
} from './wire-format.js';

const ROUTE =
  /^\/v2\/Services\/(?<service>[^/]+)\/(?<endpoint>Verifications|VerificationCheck)(?:\/(?<sid>[^/]+))?\/?$/;
const LOOKUP_ROUTE = /^\/v2\/PhoneNumbers\/(?<number>[^/]+)\/?$/;

/** A successful answer: HTTP status and JSON body. */
export interface Reply {
  /** HTTP status. */
  status: number;
  /** The JSON body. */
  body: object;
}

/** The endpoint `path` addresses, whichever the service sid; `undefined` for any other path. */
export function endpointOf(path: string): FaultEndpoint | undefined {
  if (LOOKUP_ROUTE.test(path)) return 'Lookup';
  const endpoint = ROUTE.exec(path)?.groups?.endpoint;
  return endpoint === 'Verifications' || endpoint === 'VerificationCheck' ? endpoint : undefined;
}

/**
 * Routes a request of Twilio's REST API to Verify or Lookup and renders the answer in Twilio's
 * wire format; a refusal is thrown as a `TwilioApiError`.
 */
export class TwilioRouter {
  constructor(
    private readonly verify: VerifyState,
    private readonly lookup: LookupState,
    private readonly context: () => WireContext,
  ) {}

  /** The answer to `method` on `path` (without query string) with `params`. */
  route(method: string, path: string, params: VerifyParams): Reply {
    const lookup = LOOKUP_ROUTE.exec(path)?.groups;
    if (lookup) {
      if (method !== 'GET') throw methodNotAllowed();
      return this.lookupPhoneNumber(safeDecode(lookup.number), params);
    }
    const groups = ROUTE.exec(path)?.groups;
    const context = this.context();
    if (!groups || groups.service !== context.serviceSid) throw notFound(path);
    const sid = groups.sid === undefined ? undefined : decodeURIComponent(groups.sid);

    if (groups.endpoint === 'VerificationCheck') {
      if (sid !== undefined) throw notFound(path);
      if (method !== 'POST') throw methodNotAllowed();
      // POST /v2/Services/{ServiceSid}/VerificationCheck
      const checked = this.verify.check(params);
      if (!checked) throw notFound(path);
      return { status: 200, body: verificationCheckJson(checked, context) };
    }
    if (sid === undefined) {
      if (method !== 'POST') throw methodNotAllowed();
      // POST /v2/Services/{ServiceSid}/Verifications
      return { status: 201, body: verificationJson(this.verify.start(params), context) };
    }
    // GET or POST /v2/Services/{ServiceSid}/Verifications/{Sid or To}
    if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
    const verification =
      method === 'GET' ? this.verify.fetch(sid) : this.verify.update(sid, params);
    if (!verification) throw notFound(path);
    return { status: 200, body: verificationJson(verification, context) };
  }

  /** `GET /v2/PhoneNumbers/{PhoneNumber}` (Lookup v2; a national number with `CountryCode`). */
  private lookupPhoneNumber(number: string, params: VerifyParams): Reply {
    const body = this.lookup.query(number, {
      fields: params.Fields,
      countryCode: params.CountryCode,
    });
    const path = `/v2/PhoneNumbers/${encodeURIComponent(number)}`;
    body.url = resourceUrl(this.context(), path);
    return { status: 200, body };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
