/* global navigator */
/**
 * The signed-in view: who you are, your sessions, and your account's life: a new phone, a new
 * email, recovery codes, deleting the account. Every change asks for a code checked in the last
 * 5 minutes; when the session's is older, the view asks for a new one and then does the change.
 */
import { api } from './api.js';
import {
  $,
  $$,
  announce,
  browserName,
  el,
  formatDate,
  formValues,
  phoneLabel,
  viewOf,
} from './dom.js';
import { clearErrors, during, hooks, resetView, setUpCodeFlow, showError } from './forms.js';
import { signedOut } from './router.js';
import { hasPassword, state } from './state.js';

const accountView = () => viewOf('account');
const partOf = (name) => $(`[data-part="${name}"]`, accountView());

/** "We sent a code … to the phone of your account." */
const sentToAccountPhone = (channel) =>
  channel === 'call'
    ? 'We are calling the phone of your account with a code.'
    : 'We sent a code by text message to the phone of your account.';

export async function renderAccount() {
  const view = accountView();
  const { member } = state;
  renderFacts();
  const password = hasPassword(member);
  partOf('email').hidden = !password;
  for (const field of $$('[data-password-only]', view)) field.hidden = !password;
  partOf('reverify').hidden = true;
  await Promise.all([renderSessions(), renderRecoveryStatus()]);
}

function renderFacts() {
  for (const cell of $$('[data-member]', accountView())) {
    const key = cell.dataset.member;
    cell.textContent = key === 'createdAt' ? formatDate(state.member[key]) : state.member[key];
  }
}

/** A request of the view that answers 401 has found the session ended. */
function endedSession(error) {
  if (error.status !== 401 || error.code !== 'UNAUTHENTICATED') return false;
  signedOut('Your session has ended. Sign in again.');
  return true;
}

async function renderSessions() {
  const view = accountView();
  const list = $('.sessions', view);
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
            $('[data-notice]', view).textContent = `Session ended: ${name}.`;
            await renderSessions();
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
  await renderSessions();
}

function setUpPhoneChange() {
  const part = partOf('phone');
  setUpCodeFlow(part, {
    send: ({ countryCode, phoneNumber }, channel) =>
      api('POST', '/auth/account/phone/send', { countryCode, phoneNumber, channel }),
    sent: (channel, values) =>
      channel === 'call'
        ? `We are calling ${phoneLabel(values, part)} with your code.`
        : `We sent a code by text message to ${phoneLabel(values, part)}.`,
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
        `Your phone is now ${member.phoneNumber}. Your other sessions are signed out.`,
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

/**
 * "Confirm it is you": a code to the member's phone, checked for this session, after which the
 * request that asked for it runs again. Shown next to the part whose request was refused.
 */
function setUpReverification() {
  const part = partOf('reverify');
  let retry = null;
  setUpCodeFlow(part, {
    send: (values, channel) => api('POST', '/auth/session/verify/send', { channel }),
    sent: sentToAccountPhone,
    checking: 'Checking the code…',
    async confirm({ confirmationCode }) {
      await api('POST', '/auth/session/verify', { confirmationCode });
      const next = retry;
      retry = null;
      resetView(part);
      part.hidden = true;
      next?.();
    },
  });
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
  setUpRecoveryCodes();
  setUpDeletion();
  setUpReverification();
}
