/* global document, location, history */
/** The views, switched by the URL's hash: no page load between states. */
import { renderAccount } from './account.js';
import { renderAdmin } from './admin.js';
import { api } from './api.js';
import { $, $$, viewOf } from './dom.js';
import { hooks, resetView } from './forms.js';
import { startPasskeyAutofill, stopPasskeyAutofill } from './passkeys.js';
import { SIGNED_OUT_ELSEWHERE, SIGNED_OUT_VIEWS, state } from './state.js';

export function signedIn(member, notice = '') {
  state.member = member;
  for (const name of SIGNED_OUT_VIEWS) resetView(viewOf(name));
  go('account', notice);
}

/** To the sign-in view, signed out; `noticeState` is how the notice looks. */
export function signedOut(notice, noticeState = 'success') {
  state.member = null;
  go('login', notice, noticeState);
}

export function go(name, notice = '', noticeState = 'success') {
  state.notice = notice;
  state.noticeState = noticeState;
  if (location.hash === `#${name}`) route(true);
  else location.hash = name;
}

/**
 * Whether the session the page believes it has still holds: when another browser revoked it (or
 * it expired), the page says so on the sign-in view.
 */
export async function checkSession() {
  if (!state.member) return;
  try {
    await api('GET', '/auth/me');
  } catch (error) {
    if (error.status === 401 && state.member) signedOut(SIGNED_OUT_ELSEWHERE, 'error');
  }
}

/** "Sign in instead": the sign-in view, with the email already typed. */
hooks.signIn = (email) => {
  const login = viewOf('login');
  resetView(login);
  $('[name="email"]', login).value = email;
  state.focus = email ? '[name="password"]' : '[name="email"]';
  go('login');
};

/** Shows the view named by the URL's hash. */
export async function route(moveFocus) {
  let name = location.hash.slice(1);
  if (!viewOf(name)) name = state.member ? 'account' : 'login';
  if (state.member && SIGNED_OUT_VIEWS.has(name)) name = 'account';
  if (!state.member && name === 'account') name = 'login';
  if (`#${name}` !== location.hash) history.replaceState(null, '', `#${name}`);

  for (const view of $$('[data-view]')) {
    if (view.hidden || view.dataset.view === name) continue;
    view.hidden = true;
    if (SIGNED_OUT_VIEWS.has(view.dataset.view) || view.dataset.view === 'account') {
      resetView(view);
    }
  }
  const view = viewOf(name);
  view.hidden = false;
  for (const notice of $$('[data-notice]')) notice.textContent = '';
  const notice = $('[data-notice]', view);
  if (notice) {
    notice.textContent = state.notice;
    notice.dataset.state = state.noticeState;
  }
  state.notice = '';
  state.noticeState = 'success';

  for (const item of $$('nav [data-when]')) {
    item.hidden = (item.dataset.when === 'signed-in') !== Boolean(state.member);
  }
  for (const link of $$('nav a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const heading = $('h1', view);
  document.title = `${heading.textContent} · ${state.info.siteName}`;
  const focus = state.focus && $(state.focus, view);
  state.focus = '';
  if (focus) focus.focus();
  else if (moveFocus) heading.focus();

  // The browser offers passkeys on the sign-in fields while the page is signed out.
  if (state.member) stopPasskeyAutofill();
  else startPasskeyAutofill();

  if (name === 'account') await renderAccount();
  if (name === 'admin') renderAdmin();
}
