/* global navigator, document, DOMParser, localStorage */
/**
 * The signed-in view: who you are, your sessions, and your account's life: a new phone, a new
 * email, an authenticator app, passkeys, trusted devices, recovery codes, deleting the account.
 * Every change asks for a code checked in the last 5 minutes; when the session's is older, the
 * view asks for a new one (from the phone or the app, or a passkey) and then does the change.
 * Just after a phone or two-factor sign-in it offers a passkey, once.
 */
import { api } from './api.js';
import { $, $$, announce, browserName, el, formatDate, formValues, viewOf } from './dom.js';
import {
  clearErrors,
  during,
  fieldError,
  hooks,
  resetView,
  sentTo,
  setUpCodeFlow,
  showError,
} from './forms.js';
import { ceremony, passkeysElsewhere, passkeysUsable } from './passkeys.js';
import { formatPhone, phoneLabel } from './phone.js';
import { signedOut } from './router.js';
import { hasPassword, SIGNED_OUT_ELSEWHERE, state } from './state.js';

const accountView = () => viewOf('account');
const partOf = (name) => $(`[data-part="${name}"]`, accountView());

/** "We sent a code … to the phone of your account." */
const sentToAccountPhone = (channel) => sentTo(channel, 'the phone of your account');

/** A member's status as the page says it, and how it looks. */
export const STATUSES = {
  approved: { text: 'Active', state: 'success' },
  pending: { text: 'Waiting for approval', state: 'pending' },
  blocked: { text: 'Blocked', state: 'error' },
};

/** A status as a badge: "Active", "Waiting for approval", "Blocked". */
export function statusBadge(status) {
  const shown = STATUSES[status] ?? { text: status, state: 'pending' };
  return el('span', { class: 'status', 'data-state': shown.state }, shown.text);
}

/** Whether authenticator apps are on, and whether the member has one (`GET /api/authenticator`). */
const authenticator = { available: false, enabled: false };

export async function renderAccount() {
  const view = accountView();
  const { member } = state;
  renderFacts();
  const password = hasPassword(member);
  partOf('email').hidden = !password;
  for (const field of $$('[data-password-only]', view)) field.hidden = !password;
  partOf('reverify').hidden = true;
  $('[data-passkey-offer]', view).hidden = true;
  const offer = state.offerPasskey;
  state.offerPasskey = false;
  await Promise.all([
    renderSessions(),
    renderRecoveryStatus(),
    renderAuthenticator(),
    renderPasskeys(),
    password ? renderDevices() : undefined,
  ]);
  if (offer) offerPasskey();
}

/** Who the member is: the email (a phone-only member's placeholder said as such), phone, status. */
function renderFacts() {
  const { member } = state;
  const cell = (key) => $(`[data-member="${key}"]`, accountView());
  cell('email').replaceChildren(
    member.email,
    ...(hasPassword(member)
      ? []
      : [
          el('span', { class: 'muted placeholder' }, 'A placeholder: you sign in with your phone.'),
        ]),
  );
  cell('phoneNumber').textContent = formatPhone(member.phoneNumber) ?? member.phoneNumber;
  cell('status').replaceChildren(statusBadge(member.status));
  cell('createdAt').textContent = formatDate(member.createdAt);
}

/** A request of the view that answers 401 has found the session ended. */
function endedSession(error) {
  if (error.status !== 401 || error.code !== 'UNAUTHENTICATED') return false;
  signedOut(SIGNED_OUT_ELSEWHERE, 'error');
  return true;
}

async function renderSessions() {
  const view = accountView();
  const list = $('[data-part="sessions"] .sessions', view);
  let sessions;
  try {
    sessions = await api('GET', '/auth/sessions');
  } catch (error) {
    if (endedSession(error)) return;
    return showError(view, $('[data-part="sessions"]', view), error);
  }
  list.replaceChildren(
    ...sessions.map((session) => {
      const name = browserName(session.userAgent);
      const when = `Signed in ${formatDate(session.createdAt)} · last active ${formatDate(session.lastSeenAt)}`;
      const item = el(
        'li',
        {},
        el(
          'div',
          {},
          el('strong', {}, name),
          session.current ? el('span', { class: 'badge' }, 'This browser') : '',
          el('span', { class: 'muted' }, when),
        ),
      );
      if (!session.current) {
        const revoke = el(
          'button',
          { type: 'button', class: 'secondary', 'aria-label': `Revoke ${name}, ${when}` },
          'Revoke',
        );
        revoke.addEventListener('click', () =>
          during(view, $('[data-part="sessions"]', view), 'Ending that session…', async () => {
            await api('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`);
            await renderSessions();
            announce(view, `Session ended: ${name}. That browser is signed out.`);
          }),
        );
        item.append(revoke);
      }
      return item;
    }),
  );
}

// ----------------------------------------------------------------------- phone and email

/** Shows a changed member, says so, and lists the sessions left (the others are revoked). */
async function changed(member, message) {
  state.member = member;
  renderFacts();
  announce(accountView(), message);
  await Promise.all([renderSessions(), hasPassword(member) ? renderDevices() : undefined]);
}

function setUpPhoneChange() {
  const part = partOf('phone');
  setUpCodeFlow(part, {
    send: ({ countryCode, phoneNumber }, channel) =>
      api('POST', '/auth/account/phone/send', { countryCode, phoneNumber, channel }),
    sent: (channel, values) => sentTo(channel, phoneLabel(values, part)),
    checking: 'Changing your phone…',
    async confirm({ countryCode, phoneNumber, confirmationCode, currentPassword }) {
      const member = await api('POST', '/auth/account/phone', {
        countryCode,
        phoneNumber,
        confirmationCode,
        ...(hasPassword(state.member) && { currentPassword }),
      });
      resetView(part);
      $('[name="phoneNumber"]', part).value = '';
      await changed(
        member,
        `Your phone is now ${formatPhone(member.phoneNumber) ?? member.phoneNumber}. ` +
          'Your other sessions are signed out.',
      );
    },
  });
}

function setUpEmailChange() {
  const part = partOf('email');
  setUpCodeFlow(part, {
    send: (values, channel) => api('POST', '/auth/account/email/send', { channel }),
    sent: sentToAccountPhone,
    checking: 'Changing your email…',
    async confirm({ newEmail, currentPassword, confirmationCode }) {
      const member = await api('POST', '/auth/account/email', {
        newEmail,
        currentPassword,
        confirmationCode,
      });
      resetView(part);
      $('[name="newEmail"]', part).value = '';
      await changed(
        member,
        `Your email is now ${member.email}. Your other sessions are signed out.`,
      );
    },
  });
}

// ------------------------------------------------------------------------- authenticator app

async function renderAuthenticator() {
  const part = partOf('totp');
  try {
    Object.assign(authenticator, await api('GET', '/api/authenticator'));
  } catch (error) {
    if (!endedSession(error)) showError(part, part, error);
    return;
  }
  showAuthenticator();
}

/** The part as the member's app is: "Set up" without one, "Remove" with one. */
function showAuthenticator() {
  const part = partOf('totp');
  const { available, enabled } = authenticator;
  part.hidden = !available;
  $('[data-totp-status]', part).textContent = enabled
    ? 'Your authenticator app is on: sign-in and confirmations can take its codes.'
    : 'You have no authenticator app yet.';
  $('[data-totp-off]', part).hidden = enabled;
  $('[data-step="totp-setup"]', part).hidden = true;
  $('[data-step="totp-remove"]', part).hidden = !enabled;
  for (const node of $$('[data-secret]', part)) node.replaceChildren();
  // "Confirm it is you" offers the app to a member who has one.
  const reverify = partOf('reverify');
  const option = $('[data-has-app]', reverify);
  option.hidden = !enabled;
  if (!enabled && $('input', option).checked) {
    $('input[value="sms"]', reverify).checked = true;
    sendLabel(reverify);
  }
}

/** An SVG drawn by `uqr` from the text, as an element of this page. */
async function qrCode(text) {
  const { renderSVG } = await import('/vendor/uqr.mjs');
  const svg = new DOMParser().parseFromString(renderSVG(text), 'image/svg+xml').documentElement;
  return document.importNode(svg, true);
}

function setUpAuthenticator() {
  const part = partOf('totp');
  const off = $('[data-totp-off]', part);
  const setup = $('[data-step="totp-setup"]', part);
  const remove = $('[data-step="totp-remove"]', part);
  $('[data-totp-begin]', part).addEventListener('click', () =>
    during(part, off, 'Setting up…', async () => {
      const { secret, otpauthUrl } = await api('POST', '/auth/account/totp');
      $('[data-qr]', setup).replaceChildren(await qrCode(otpauthUrl));
      // In groups of four, as apps ask for it; they ignore the spaces.
      $('[data-totp-secret]', setup).textContent = secret.replace(/(.{4})(?=.)/g, '$1 ');
      $('[name="code"]', setup).value = '';
      off.hidden = true;
      setup.hidden = false;
      $('[name="code"]', setup).focus();
    }),
  );
  $('[data-totp-cancel]', setup).addEventListener('click', () => {
    clearErrors(part);
    showAuthenticator();
    $('[data-totp-begin]', part).focus();
  });
  setup.addEventListener('submit', (event) => {
    event.preventDefault();
    during(part, setup, 'Checking the code…', async () => {
      await api('POST', '/auth/account/totp/confirm', formValues(setup));
      authenticator.enabled = true;
      showAuthenticator();
      // Phone sign-in always sends a code: the app serves a phone-only member's confirmations.
      announce(
        part,
        hasPassword(state.member)
          ? 'Your authenticator app is on. Next time you sign in, choose it instead of a text message.'
          : 'Your authenticator app is on. When you are asked to confirm it is you, use a code from it.',
      );
    });
  });
  remove.addEventListener('submit', (event) => {
    event.preventDefault();
    during(part, remove, 'Removing your app…', async () => {
      await api('DELETE', '/auth/account/totp', formValues(remove));
      $('[name="code"]', remove).value = '';
      authenticator.enabled = false;
      showAuthenticator();
      announce(part, 'Your authenticator app is removed: codes come to your phone again.');
    });
  });
}

// ---------------------------------------------------------------------------------- passkeys

/** The member's passkeys, as last listed (`GET /auth/account/passkeys`). */
let passkeys = [];

/** Where the part's own requests say what they do: its last error line and progress. */
const passkeysStatus = () => $('[data-passkeys-status]', partOf('passkeys'));

async function renderPasskeys() {
  const part = partOf('passkeys');
  passkeys = [];
  part.hidden = !state.info.passkeys;
  if (!part.hidden) {
    try {
      passkeys = await api('GET', '/auth/account/passkeys');
    } catch (error) {
      if (!endedSession(error)) showError(part, passkeysStatus(), error);
    }
  }
  showPasskeys();
}

/** "Added … · last used … · synced": when it was made and used, and whether it is synced. */
function passkeyFacts(passkey) {
  return [
    `Added ${formatDate(passkey.createdAt)}`,
    passkey.lastUsedAt ? `last used ${formatDate(passkey.lastUsedAt)}` : 'not used yet',
    // Backed up: a passkey manager syncs it to the member's other devices.
    passkey.backedUp ? 'synced' : 'not synced',
  ].join(' · ');
}

/** The list, "Add a passkey" where passkeys work here, and "Use a passkey" to confirm it is you. */
function showPasskeys() {
  const part = partOf('passkeys');
  const usable = passkeysUsable();
  $('[data-passkeys-empty]', part).hidden = passkeys.length > 0;
  $('[data-passkeys]', part).replaceChildren(...passkeys.map(passkeyItem));
  $('[data-passkey-add]', part).hidden = !usable;
  const line = $('[data-passkeys-elsewhere]', part);
  const elsewhere = passkeysElsewhere('add or use a passkey', ' and sign in there.');
  line.replaceChildren(...(elsewhere ? [elsewhere] : []));
  line.hidden = !elsewhere;
  $('[data-reverify-passkey]', partOf('reverify')).hidden = !usable || passkeys.length === 0;
}

/** One passkey: its name and facts, "Rename" and "Remove". */
function passkeyItem(passkey) {
  const item = el('li', { 'data-passkey': passkey.id });
  const rename = el(
    'button',
    { type: 'button', class: 'secondary', 'aria-label': `Rename ${passkey.name}` },
    'Rename',
  );
  const remove = el(
    'button',
    { type: 'button', class: 'danger', 'aria-label': `Remove ${passkey.name}` },
    'Remove',
  );
  rename.addEventListener('click', () => renameForm(item, passkey));
  remove.addEventListener('click', () => removeQuestion(item, passkey));
  item.append(
    el(
      'div',
      {},
      el('strong', {}, passkey.name),
      el('span', { class: 'muted' }, passkeyFacts(passkey)),
    ),
    el('div', { class: 'row-actions' }, rename, remove),
  );
  return item;
}

/** The passkey's item again, with its `button` ("Rename", "Remove") focused. */
function backToItem(passkey, button) {
  showPasskeys();
  const item = $(`[data-passkey="${passkey.id}"]`, partOf('passkeys'));
  if (item)
    $$('button', item)
      .find((node) => node.textContent === button)
      ?.focus();
}

/** "Rename": the name in a field of its own, saved with "Save". */
function renameForm(item, passkey) {
  const part = partOf('passkeys');
  const id = `passkey-name-${passkey.id}`;
  const input = el('input', { id, name: 'name', maxlength: '64', autocomplete: 'off' });
  input.value = passkey.name;
  const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = el(
    'form',
    { class: 'rename', novalidate: '' },
    el('div', { class: 'field' }, el('label', { for: id }, 'Passkey name'), input),
    el('p', { class: 'form-error', role: 'alert' }),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit' }, 'Save'),
      cancel,
      el('p', { class: 'progress', role: 'status', hidden: '' }),
    ),
  );
  cancel.addEventListener('click', () => {
    clearErrors(part);
    backToItem(passkey, 'Rename');
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (name === '') return fieldError(input, 'Enter a name for this passkey');
    during(part, form, 'Renaming…', async () => {
      const renamed = await api('PATCH', `/auth/account/passkeys/${passkey.id}`, { name });
      passkeys = passkeys.map((known) => (known.id === renamed.id ? renamed : known));
      showPasskeys();
      announce(part, `Your passkey is renamed “${renamed.name}”.`);
    });
  });
  item.replaceChildren(form);
  input.focus();
  input.select();
}

/** "Remove": asked first, as the account's deletion is; a change that needs a recent check. */
function removeQuestion(item, passkey) {
  const part = partOf('passkeys');
  const yes = el('button', { type: 'button', class: 'danger' }, 'Remove passkey');
  const keep = el('button', { type: 'button', class: 'secondary' }, 'Keep it');
  const question = el(
    'p',
    { class: 'confirm-question', tabindex: '-1' },
    `Remove “${passkey.name}”? It will no longer sign you in.`,
  );
  keep.addEventListener('click', () => backToItem(passkey, 'Remove'));
  yes.addEventListener('click', () =>
    during(part, passkeysStatus(), 'Removing your passkey…', async () => {
      await api('DELETE', `/auth/account/passkeys/${passkey.id}`);
      passkeys = passkeys.filter((known) => known.id !== passkey.id);
      showPasskeys();
      announce(
        part,
        `“${passkey.name}” is removed and no longer signs you in. Delete it from your device ` +
          'or passkey manager too.',
      );
    }),
  );
  item.replaceChildren(question, el('div', { class: 'row-actions' }, yes, keep));
  item.classList.add('confirm');
  question.focus();
}

/** Makes a passkey with the browser and keeps it (a change that needs a recent check). */
async function addPasskey() {
  const optionsJSON = await api('POST', '/auth/account/passkeys/options', {});
  const response = await ceremony('add', ({ startRegistration }) =>
    startRegistration({ optionsJSON }),
  );
  const added = await api('POST', '/auth/account/passkeys', { response });
  passkeys = [...passkeys, added];
  showPasskeys();
  return added;
}

/** Whether this browser was told not to offer this member a passkey again ("No thanks"). */
const OFFER_DECLINED = (memberId) => `nestjs-otp-sample:passkey-offer-declined:${memberId}`;

function offerDeclined(memberId) {
  try {
    return localStorage.getItem(OFFER_DECLINED(memberId)) === 'yes';
  } catch {
    return false;
  }
}

/**
 * After a phone or two-factor sign-in: "Add a passkey" at the top of the view, unless the member
 * has one, passkeys cannot work on this page, or they said "No thanks" in this browser before.
 */
function offerPasskey() {
  const offer = $('[data-passkey-offer]', accountView());
  offer.hidden = !passkeysUsable() || passkeys.length > 0 || offerDeclined(state.member.id);
}

function setUpPasskeys() {
  const view = accountView();
  const part = partOf('passkeys');
  const offer = $('[data-passkey-offer]', view);
  $('[data-passkey-add]', part).addEventListener('click', () =>
    during(part, passkeysStatus(), 'Waiting for your passkey…', async () => {
      const added = await addPasskey();
      announce(part, `Passkey added: “${added.name}”. Next time, sign in with it: no code needed.`);
    }),
  );
  $('[data-offer-add]', offer).addEventListener('click', () =>
    during(offer, offer, 'Waiting for your passkey…', async () => {
      const added = await addPasskey();
      offer.hidden = true;
      announce(
        view,
        `Passkey added: “${added.name}”. Next time, choose “Sign in with a passkey”: no code needed.`,
      );
    }),
  );
  $('[data-offer-dismiss]', offer).addEventListener('click', () => {
    try {
      localStorage.setItem(OFFER_DECLINED(state.member.id), 'yes');
    } catch {
      // Storage refused: the offer comes back at the next sign-in.
    }
    clearErrors(offer);
    offer.hidden = true;
    announce(view, 'No passkey for now. You can add one any time, under Passkeys below.');
  });
}

// --------------------------------------------------------------------------- trusted devices

async function renderDevices() {
  const view = accountView();
  const part = partOf('devices');
  let devices;
  try {
    devices = await api('GET', '/auth/account/devices');
  } catch (error) {
    if (!endedSession(error)) showError(view, part, error);
    return;
  }
  $('[data-devices-empty]', part).hidden = devices.length > 0;
  $('[data-devices]', part).replaceChildren(
    ...devices.map((device) => {
      const name = browserName(device.userAgent);
      const when =
        `Trusted ${formatDate(device.createdAt)} · last used ${formatDate(device.lastUsedAt)}` +
        ` · until ${formatDate(device.expiresAt)}`;
      const forget = el(
        'button',
        { type: 'button', class: 'secondary', 'aria-label': `Forget ${name}, ${when}` },
        'Forget',
      );
      forget.addEventListener('click', () =>
        during(view, part, 'Forgetting that device…', async () => {
          await api('DELETE', `/auth/account/devices/${encodeURIComponent(device.id)}`);
          announce(view, `${name} is no longer trusted: it asks for a code at sign-in again.`);
          await renderDevices();
        }),
      );
      return el(
        'li',
        {},
        el('div', {}, el('strong', {}, name), el('span', { class: 'muted' }, when)),
        forget,
      );
    }),
  );
}

// ---------------------------------------------------------------------------- recovery codes

async function renderRecoveryStatus() {
  const part = partOf('recovery');
  const line = $('[data-recovery-status]', part);
  try {
    const { remaining, createdAt } = await api('GET', '/auth/account/recovery-codes');
    line.textContent = createdAt
      ? `${remaining} of 10 recovery codes left, made ${formatDate(createdAt)}.`
      : 'You have no recovery codes yet.';
  } catch (error) {
    if (!endedSession(error)) showError(part, part, error);
  }
}

function setUpRecoveryCodes() {
  const part = partOf('recovery');
  const shown = $('[data-codes]', part);
  const list = $('[data-secret]', shown);
  const copied = $('[data-copied]', shown);
  $('[data-make-codes]', part).addEventListener('click', () =>
    during(part, part, 'Making recovery codes…', async () => {
      const { codes } = await api('POST', '/auth/account/recovery-codes');
      list.replaceChildren(...codes.map((code) => el('li', {}, el('code', {}, code))));
      copied.textContent = '';
      shown.hidden = false;
      announce(
        shown,
        'These ten codes are shown once: copy them now and keep them somewhere safe, away ' +
          'from your phone. Each signs you in once; any earlier codes no longer work.',
      );
      await renderRecoveryStatus();
    }),
  );
  $('[data-copy-codes]', part).addEventListener('click', async () => {
    const codes = $$('li', list).map((item) => item.textContent);
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      copied.textContent = 'The ten codes are copied.';
    } catch {
      copied.textContent = 'The browser refused to copy: select the codes and copy them.';
    }
  });
  $('[data-hide-codes]', part).addEventListener('click', () => {
    list.replaceChildren();
    shown.hidden = true;
    $('[data-make-codes]', part).focus();
  });
}

// ---------------------------------------------------------------------------- delete account

function setUpDeletion() {
  const part = partOf('delete');
  const confirmBox = $('[data-confirm]', part);
  const code = $('[data-step="code"]', part);
  setUpCodeFlow(part, {
    send: (values, channel) => api('POST', '/auth/account/delete/send', { channel }),
    sent: sentToAccountPhone,
    checking: 'Checking…',
    async confirm() {
      confirmBox.hidden = false;
      $('[data-confirm-question]', confirmBox).focus();
    },
  });
  $('[data-delete]', confirmBox).addEventListener('click', () =>
    during(part, confirmBox, 'Deleting your account…', async () => {
      const { confirmationCode } = formValues(code);
      await api('DELETE', '/auth/account', { confirmationCode });
      state.focus = '[data-notice]';
      signedOut('Your account is deleted, with its sessions and recovery codes.');
    }),
  );
  $('[data-keep]', confirmBox).addEventListener('click', () => {
    resetView(part);
    announce(accountView(), 'Your account is kept.');
  });
}

// --------------------------------------------------------------------------- re-verification

/** "Send code", or "Continue" when the code comes from the app (nothing is sent). */
function sendLabel(part) {
  const app = $('input[value="totp"]', part).checked;
  $('[data-send]', part).textContent = app ? 'Continue' : 'Send code';
}

/**
 * "Confirm it is you": a code to the member's phone or of their authenticator app, or one of
 * their passkeys, checked for this session, after which the request that asked for it runs again.
 * Shown next to the part whose request was refused.
 */
function setUpReverification() {
  const part = partOf('reverify');
  let retry = null;
  for (const radio of $$('input[name="channel"]', part)) {
    radio.addEventListener('change', () => sendLabel(part));
  }
  /** Checked: the panel goes, and the change it held back runs again. */
  const verified = () => {
    const next = retry;
    retry = null;
    resetView(part);
    part.hidden = true;
    next?.();
  };
  setUpCodeFlow(part, {
    send: (values, channel) => api('POST', '/auth/session/verify/send', { channel }),
    sent: (channel) =>
      channel === 'totp'
        ? 'Type the 6-digit code your authenticator app shows'
        : sentToAccountPhone(channel),
    checking: 'Checking the code…',
    async confirm({ confirmationCode }) {
      await api('POST', '/auth/session/verify', { confirmationCode });
      verified();
    },
  });
  // "Use a passkey", for a member who has one: nothing is sent.
  const details = $('[data-step="details"]', part);
  $('[data-reverify-passkey]', part).addEventListener('click', () =>
    during(part, details, 'Waiting for your passkey…', async () => {
      const optionsJSON = await api('POST', '/auth/session/verify/passkey/options', {});
      const passkeyResponse = await ceremony('confirm', ({ startAuthentication }) =>
        startAuthentication({ optionsJSON }),
      );
      await api('POST', '/auth/session/verify', { passkeyResponse });
      verified();
    }),
  );
  $('[data-cancel]', part).addEventListener('click', () => {
    const asking = part.previousElementSibling;
    retry = null;
    resetView(part);
    part.hidden = true;
    $('h2', asking)?.focus();
  });
  hooks.reverify = (again, view) => {
    retry = again;
    if (view !== part && accountView().contains(view)) view.after(part);
    resetView(part);
    clearErrors(part);
    part.hidden = false;
    $('h2', part).focus();
  };
}

export function setUpAccount() {
  const view = accountView();
  $('[data-sign-out]', view).addEventListener('click', () =>
    during(view, $('[data-part="sessions"]', view), 'Signing out…', async () => {
      try {
        await api('POST', '/auth/logout');
      } catch (error) {
        if (error.status !== 401) throw error;
      }
      signedOut('You are signed out.');
    }),
  );
  setUpPhoneChange();
  setUpEmailChange();
  setUpAuthenticator();
  setUpPasskeys();
  setUpRecoveryCodes();
  setUpDeletion();
  setUpReverification();
}
