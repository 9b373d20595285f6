/* global window, navigator */
/**
 * The sample's page: plain JavaScript modules, no build step, no storage. The session is the
 * module's HttpOnly cookie, which the page cannot read; the `sessionToken` that sign-in answers
 * also carry is ignored. Requests go through `api.js`, which sends the CSRF header the module
 * asks of cookie-signed changes.
 *
 * `sign-in.js` has the signed-out views, `account.js` the signed-in one, `admin.js` the admin
 * view, `router.js` switches between them by the URL's hash, and `forms.js` has what every form
 * does the same way (errors, busy state, the two-step code flow).
 */
import { setUpAccount } from './account.js';
import { setUpAdmin } from './admin.js';
import { api } from './api.js';
import { $, $$, el } from './dom.js';
import { fieldErrorOf } from './forms.js';
import { route } from './router.js';
import { setUpSignIn } from './sign-in.js';
import { state } from './state.js';

async function loadCountries() {
  const selects = $$('[data-countries]');
  try {
    const countries = await api(
      'GET',
      `/auth/countries?locale=${encodeURIComponent(navigator.language)}`,
    );
    const region = new Intl.Locale(navigator.language).maximize().region;
    const preferred = countries.some((c) => c.code === region) ? region : countries[0]?.code;
    for (const select of selects) {
      select.replaceChildren(
        ...countries.map((country) => {
          const option = el(
            'option',
            { value: country.code },
            `${country.name} (${country.dialCode})`,
          );
          option.dataset.dial = country.dialCode;
          option.selected = country.code === preferred;
          return option;
        }),
      );
    }
  } catch (error) {
    for (const select of selects) {
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

async function start() {
  setUpSignIn();
  setUpAccount();
  setUpAdmin();
  const [info, member] = await Promise.all([
    api('GET', '/api/sample').catch(() => state.info),
    loadMember(),
    loadCountries(),
  ]);
  state.info = info;
  state.member = member;
  $('#dev-banner').hidden = !info.developmentMode;
  $('[data-loading]').remove();
  route(false);
  window.addEventListener('hashchange', () => route(true));
}

start();
