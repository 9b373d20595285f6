/* global window, document, navigator */
/**
 * The sample's page: plain JavaScript modules, no build step. The session is the module's
 * HttpOnly cookie, which the page cannot read; the `sessionToken` that sign-in answers also carry
 * is ignored, and the only thing kept in storage is that a member declined the passkey offer.
 * Requests go through `api.js`, which sends the CSRF header the module asks of cookie-signed
 * changes.
 *
 * `sign-in.js` has the signed-out views, `account.js` the signed-in one, `admin.js` the admin
 * view, `router.js` switches between them by the URL's hash, `forms.js` has what every form does
 * the same way (the parts written once, errors, busy state, the two-step code flow) and
 * `phone.js` the phone fields and `passkeys.js` signing in with a passkey.
 */
import { setUpAccount } from './account.js';
import { setUpAdmin } from './admin.js';
import { api } from './api.js';
import { $, $$ } from './dom.js';
import { buildParts, fieldErrorOf, showChannels } from './forms.js';
import { setUpPasskeySignIn, showPasskeySignIn } from './passkeys.js';
import { fillCountries, loadPhoneLibrary } from './phone.js';
import { checkSession, route } from './router.js';
import { setUpSignIn } from './sign-in.js';
import { state } from './state.js';

async function loadCountries() {
  try {
    fillCountries(
      await api('GET', `/auth/countries?locale=${encodeURIComponent(navigator.language)}`),
    );
  } catch (error) {
    for (const select of $$('[data-countries]')) {
      fieldErrorOf(select).textContent = `The country list could not be loaded. ${error.message}`;
    }
  }
}

async function loadMember() {
  try {
    return await api('GET', '/auth/me');
  } catch {
    return null;
  }
}

/** The host's name and logo, and what the page says of the module's options. */
function showInfo(info) {
  $('#dev-banner').hidden = !info.developmentMode;
  $('[data-site-name]').textContent = info.siteName;
  $('[data-site-logo]').src = info.siteLogo;
  showChannels(info.channels);
  const days = info.trustedDeviceDays === 1 ? '1 day' : `${info.trustedDeviceDays} days`;
  for (const node of $$('[data-trust-label]')) node.textContent = `Trust this device for ${days}`;
  for (const node of $$('[data-trust-days]')) node.textContent = days;
  for (const node of $$('[data-trust]')) node.hidden = info.trustedDeviceDays === 0;
  showPasskeySignIn();
}

async function start() {
  buildParts();
  setUpSignIn();
  setUpPasskeySignIn();
  setUpAccount();
  setUpAdmin();
  const [info, member] = await Promise.all([
    api('GET', '/api/sample').catch(() => state.info),
    loadMember(),
    loadPhoneLibrary(),
  ]);
  await loadCountries();
  state.info = info;
  state.member = member;
  showInfo(info);
  $('[data-loading]').remove();
  route(false);
  window.addEventListener('hashchange', () => route(true));
  // Back to the page after a while: a session ended from another browser is said so.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') checkSession();
  });
  window.addEventListener('focus', () => checkSession());
}

start();
