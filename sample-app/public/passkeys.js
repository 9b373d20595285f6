/* global window, location, document */
/**
 * Passkeys, with `@simplewebauthn/browser` (served by the sample as `/vendor/simplewebauthn.mjs`):
 * where they can work, the browser's ceremonies as readable errors, and signing in with one,
 * from the "Sign in with a passkey" button or the browser's autofill (conditional mediation) on
 * the phone and email fields (`autocomplete="username webauthn"`). No code is sent for it.
 * The account view adds, lists, renames and removes them, and confirms a session with one.
 */
import { api } from './api.js';
import { $, el, viewOf } from './dom.js';
import { during } from './forms.js';
import { signedIn } from './router.js';
import { state } from './state.js';

/** The sign-in views that offer a passkey. */
const SIGN_IN_VIEWS = ['login', 'phone'];

/** `@simplewebauthn/browser`, loaded on first use. */
let library = null;

export function webAuthn() {
  library ??= import('/vendor/simplewebauthn.mjs').catch((error) => {
    library = null;
    throw error;
  });
  return library;
}

/**
 * Whether passkeys work on this page: the server has them on, the browser has WebAuthn, and the
 * page runs on one of the origins they are bound to (a passkey belongs to a domain name such as
 * `localhost`, never to an IP address such as 127.0.0.1).
 */
export function passkeysUsable() {
  const passkeys = state.info.passkeys;
  return Boolean(
    passkeys &&
    typeof window.PublicKeyCredential === 'function' &&
    (location.hostname === passkeys.rpId || location.hostname.endsWith(`.${passkeys.rpId}`)) &&
    passkeys.origins.includes(location.origin),
  );
}

/**
 * Where passkeys are on but cannot work here, the one line that says why: "To `what`, open
 * http://localhost:3000`then`"; `null` otherwise.
 */
export function passkeysElsewhere(what, then = '.') {
  const passkeys = state.info.passkeys;
  if (!passkeys || passkeysUsable()) return null;
  if (typeof window.PublicKeyCredential !== 'function') {
    return el('span', {}, 'This browser does not support passkeys.');
  }
  const origin = passkeys.origins[0];
  return el('span', {}, `To ${what}, open `, el('a', { href: `${origin}/` }, origin), then);
}

/** What the browser's refusal (`NotAllowedError`: cancelled, timed out, none found) means. */
const NOT_ALLOWED = {
  'sign-in':
    'The passkey sign-in was cancelled, timed out, or found no passkey for this site. ' +
    'Try again, or sign in with a code.',
  add: 'No passkey was made: the request was cancelled or timed out. Try again.',
  confirm:
    'The passkey check was cancelled, timed out, or found no passkey of yours here. ' +
    'Try again, or send a code.',
};

/**
 * A ceremony (`sign-in`, `add`, `confirm`) the browser did not finish, as an error with a
 * readable message; `aborted` when the page itself stopped it (another ceremony began).
 */
export function ceremonyError(error, ceremony) {
  const name = error?.cause?.name ?? error?.name;
  const aborted = error?.code === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError';
  let message;
  if (aborted) {
    message = 'The passkey request was stopped. Try again.';
  } else if (error?.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    message = 'This device already holds a passkey for your account.';
  } else if (name === 'NotAllowedError') {
    message = NOT_ALLOWED[ceremony];
  } else if (name === 'SecurityError') {
    const origin = state.info.passkeys?.origins[0];
    message = `This browser refused passkeys on this address${origin ? `: open ${origin}` : ''}.`;
  } else {
    message = `The passkey request did not finish (${error?.message ?? 'an unknown error'}). Try again.`;
  }
  const readable = new Error(message);
  readable.aborted = aborted;
  return readable;
}

/** Runs a browser ceremony (`startRegistration`, `startAuthentication`), its failure readable. */
export async function ceremony(kind, start) {
  try {
    return await start(await webAuthn());
  } catch (error) {
    throw ceremonyError(error, kind);
  }
}

// ------------------------------------------------------------------------------- sign-in

/** Signs in with the browser's answer to `/auth/passkey/options`. */
async function finishSignIn(response) {
  const { member } = await api('POST', '/auth/passkey/login', { response });
  signedIn(member, 'You are signed in with your passkey: no code was needed.');
}

/** The sign-in view on screen, else the two-factor one. */
function currentSignInView() {
  return SIGN_IN_VIEWS.map(viewOf).find((view) => !view.hidden) ?? viewOf(SIGN_IN_VIEWS.at(0));
}

/**
 * The browser's autofill request (conditional mediation) while the page is signed out: `null`
 * when none runs, else when its challenge was asked for. The module's challenge lives 5 minutes
 * by default: an older request is asked again when a field that offers passkeys gets the focus.
 */
let autofill = null;
const AUTOFILL_REFRESH_MS = 4 * 60_000;
/** The button's request runs: autofill waits for it to end (one request at a time). */
let buttonRequest = false;

/**
 * Starts the browser's autofill of passkeys on the phone and email fields, when it can: the
 * member picks one there and is signed in. A refusal of the module (a passkey it does not know)
 * is said on the sign-in form. It starts again when the member comes back to one of those fields
 * (never in a loop).
 */
export async function startPasskeyAutofill() {
  if (autofill || buttonRequest || state.member || !passkeysUsable()) return;
  const current = { startedAt: Date.now() };
  autofill = current;
  let response;
  try {
    const lib = await webAuthn();
    if (!(await lib.browserSupportsWebAuthnAutofill())) return;
    const optionsJSON = await api('POST', '/auth/passkey/options', {});
    if (autofill !== current) return;
    current.startedAt = Date.now();
    response = await lib.startAuthentication({ optionsJSON, useBrowserAutofill: true });
  } catch {
    // Stopped by the page (the button's request, a sign-in, a newer request) or declined by the
    // browser: the member asked for nothing, so nothing is said; the fields still take a code.
    if (autofill === current) autofill = null;
    return;
  }
  if (autofill === current) autofill = null;
  const view = currentSignInView();
  await during(view, $('[data-step="details"]', view), 'Signing you in…', () =>
    finishSignIn(response),
  );
}

/** Stops the autofill request (signed in, or a newer one to ask). */
export async function stopPasskeyAutofill() {
  if (!autofill) return;
  autofill = null;
  (await webAuthn()).WebAuthnAbortService.cancelCeremony();
}

/** A field that offers passkeys got the focus: autofill again, or anew when its request is old. */
async function refreshAutofill() {
  if (autofill && Date.now() - autofill.startedAt > AUTOFILL_REFRESH_MS) {
    await stopPasskeyAutofill();
  }
  startPasskeyAutofill();
}

/** The button: the browser asks which passkey, and it signs in. */
function passkeyButton(view) {
  const details = $('[data-step="details"]', view);
  $('[data-passkey-login]', view).addEventListener('click', async () => {
    await during(view, details, 'Waiting for your passkey…', async () => {
      buttonRequest = true;
      try {
        const optionsJSON = await api('POST', '/auth/passkey/options', {});
        // Its request replaces the autofill's, which the browser cannot run beside it.
        autofill = null;
        const response = await ceremony('sign-in', ({ startAuthentication }) =>
          startAuthentication({ optionsJSON }),
        );
        $('.progress', details).textContent = 'Signing you in…';
        await finishSignIn(response);
      } finally {
        buttonRequest = false;
      }
    });
    if (!state.member) startPasskeyAutofill();
  });
}

/**
 * Shows "Sign in with a passkey" where passkeys work, and the line that says where they do
 * otherwise.
 */
export function showPasskeySignIn() {
  const usable = passkeysUsable();
  for (const name of SIGN_IN_VIEWS) {
    const view = viewOf(name);
    $('[data-passkey-sign-in]', view).hidden = !usable;
    const line = $('[data-passkeys-elsewhere]', view);
    const elsewhere = passkeysElsewhere('sign in with a passkey');
    line.replaceChildren(...(elsewhere ? [elsewhere] : []));
    line.hidden = !elsewhere;
  }
}

export function setUpPasskeySignIn() {
  for (const name of SIGN_IN_VIEWS) passkeyButton(viewOf(name));
  // Back in a field that offers passkeys (the phone, the two-factor email): autofill again.
  for (const type of ['focusin', 'click']) {
    document.addEventListener(type, (event) => {
      if (event.target.matches?.('input[autocomplete$="webauthn"]')) refreshAutofill();
    });
  }
}
