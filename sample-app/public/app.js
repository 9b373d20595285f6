/* global document, window, location, history, fetch, navigator, setInterval, clearInterval */
/**
 * The sample's page: plain JavaScript, no build step, no storage. The session is the module's
 * HttpOnly cookie, which this script cannot read; the `sessionToken` that sign-in answers also
 * carry is ignored. Every request sends `X-Requested-With`, which the module requires of
 * state-changing requests signed in by the cookie (CSRF protection), and every body is JSON.
 */

const TITLE = 'nestjs-otp sample';
const SIGNED_OUT_VIEWS = new Set(['login', 'register', 'phone', 'reset']);

/** Errors whose field is known from their code; others name their field first, or none. */
const FIELD_BY_CODE = {
  INVALID_PHONE_NUMBER: 'phoneNumber',
  COUNTRY_NOT_ALLOWED: 'countryCode',
  CHANNEL_NOT_ALLOWED: 'channel',
  INVALID_CODE: 'confirmationCode',
  CODE_EXPIRED: 'confirmationCode',
  // Only the admin view has this field; elsewhere the error goes on the form.
  UNAUTHENTICATED: 'adminToken',
};

const state = {
  /** The signed-in member, from `GET /auth/me` or a sign-in answer. */
  member: null,
  /** What `/api/sample` says about the server. */
  info: { developmentMode: false, adminEnabled: false },
  /** Typed in the admin view; kept in memory only. */
  adminToken: '',
  /** A message for the next view shown. */
  notice: '',
};

// ------------------------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body.message || `The server answered ${status}. Try again.`);
    this.status = status;
    this.code = body.code;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body, headers = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'X-Requested-With': 'fetch',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, {
      message: 'The server cannot be reached. Check your connection and try again.',
    });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After')) || undefined;
    throw new ApiError(response.status, data ?? {}, retryAfter);
  }
  return data;
}

// ------------------------------------------------------------------------------- DOM helpers

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
const viewOf = (name) => $(`[data-view="${name}"]`);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const formatDate = (iso) => dateTime.format(new Date(iso));

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The values of a form's named controls (the checked radio of a group). */
function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name || (control.type === 'radio' && !control.checked)) continue;
    values[control.name] = control.type === 'password' ? control.value : control.value.trim();
  }
  return values;
}

/** "Text message to +1 (201) 555-0123" style wording of where a code went. */
function phoneLabel(values, view) {
  const option = $('select[name="countryCode"]', view)?.selectedOptions[0];
  return `${option?.dataset.dial ?? ''} ${values.phoneNumber}`.trim();
}

/** "HeadlessChrome/156 … Linux" -> "Headless Chrome on Linux". */
function browserName(userAgent) {
  if (!userAgent) return 'Unknown browser';
  const browser = [
    [/Edg\//, 'Edge'],
    [/Firefox\//, 'Firefox'],
    [/HeadlessChrome\//, 'Headless Chrome'],
    [/Chrome\//, 'Chrome'],
    [/Safari\//, 'Safari'],
  ].find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = [
    [/Android/, 'Android'],
    [/iPhone|iPad/, 'iOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X/, 'macOS'],
    [/Linux/, 'Linux'],
  ].find(([pattern]) => pattern.test(userAgent))?.[1];
  return [browser ?? 'Unknown browser', system].filter(Boolean).join(' on ');
}

// ------------------------------------------------------------------------------------ errors

/** The error line under a control, created on first use and tied to it by aria-describedby. */
function fieldErrorOf(control) {
  const field = control.closest('.field');
  let line = $('.field-error', field);
  if (!line) {
    line = el('p', { class: 'field-error', id: `${control.id || control.name}-error` });
    field.append(line);
    for (const input of $$('input, select', field)) {
      const described = input.getAttribute('aria-describedby');
      input.setAttribute('aria-describedby', [described, line.id].filter(Boolean).join(' '));
    }
  }
  return line;
}

function clearErrors(root) {
  for (const line of $$('.field-error, .form-error', root)) line.textContent = '';
  for (const control of $$('[aria-invalid]', root)) control.removeAttribute('aria-invalid');
}

/** The visible control an error is about, if any. */
function controlFor(view, error) {
  const name =
    FIELD_BY_CODE[error.code] ??
    (error.code === 'VALIDATION_FAILED' ? /^[A-Za-z]+/.exec(error.message)?.[0] : undefined);
  const control = name && $(`[name="${name}"]`, view);
  return control && !control.closest('[hidden]') ? control : undefined;
}

/** Shows an error as its message, next to its field when it has one, else on the form. */
function showError(view, form, error) {
  let message = error.message;
  if (error.retryAfter) message += ` You can try again in ${error.retryAfter} seconds.`;
  const control = error instanceof ApiError ? controlFor(view, error) : undefined;
  if (control) {
    // "confirmationCode must be 4 to 10 digits" -> "Confirmation code must be 4 to 10 digits"
    const label = $('label, legend', control.closest('.field'))?.textContent.trim();
    if (label && message.startsWith(control.name)) {
      message = label + message.slice(control.name.length);
    }
    fieldErrorOf(control).textContent = message;
    for (const input of $$(`[name="${control.name}"]`, view)) {
      input.setAttribute('aria-invalid', 'true');
    }
    control.focus();
  } else {
    $('.form-error', form).textContent = message;
  }
}

// -------------------------------------------------------------------------------- busy state

/**
 * Runs a request for a view: its buttons are disabled and the form's progress line shows
 * `label` until it settles; an error is shown where it belongs. A button refused with
 * `Retry-After` stays disabled, counting down, until it may be used again.
 */
async function during(view, form, label, task, trigger) {
  if (view.getAttribute('aria-busy') === 'true') return;
  clearErrors(view);
  const progress = $('.progress', form);
  const buttons = $$('button', view);
  const focused = document.activeElement;
  view.setAttribute('aria-busy', 'true');
  for (const button of buttons) button.disabled = true;
  progress.textContent = label;
  progress.hidden = false;
  try {
    await task();
  } catch (error) {
    showError(view, form, error);
    if (error.retryAfter && trigger) coolDown(trigger, error.retryAfter);
  } finally {
    view.removeAttribute('aria-busy');
    for (const button of buttons) button.disabled = button.dataset.coolingDown === 'true';
    progress.hidden = true;
    if (document.activeElement === document.body) {
      // Back where the person was; if that button now waits out a cooldown, to the form's input.
      const target = focused?.disabled ? $('input:not([type="radio"])', form) : focused;
      if (target?.isConnected) target.focus();
    }
  }
}

function coolDown(button, seconds) {
  const text = button.dataset.text ?? button.textContent;
  button.dataset.text = text;
  button.dataset.coolingDown = 'true';
  button.disabled = true;
  let left = seconds;
  button.textContent = `${text} (in ${left} s)`;
  const timer = setInterval(() => {
    left -= 1;
    button.textContent = `${text} (in ${left} s)`;
    if (left > 0) return;
    clearInterval(timer);
    button.textContent = text;
    delete button.dataset.coolingDown;
    button.disabled = button.closest('[aria-busy="true"]') !== null;
  }, 1000);
}

// ------------------------------------------------------------------------ code flows (seed)

/** Where the code went, for the flows where the person typed the phone number. */
const sentToPhone = (channel, values, view) =>
  channel === 'call'
    ? `We are calling ${phoneLabel(values, view)} with your code.`
    : `We sent a code by text message to ${phoneLabel(values, view)}.`;

const flows = {
  login: {
    send: ({ email, password }, channel) =>
      api('POST', '/auth/2fa/login/send', { email, password, channel }),
    sent: (channel) =>
      channel === 'call'
        ? 'We are calling the phone of your account with a code.'
        : 'We sent a code by text message to the phone of your account.',
    checking: 'Signing you in…',
    async confirm({ email, password, confirmationCode }) {
      const { member } = await api('POST', '/auth/2fa/login', {
        email,
        password,
        confirmationCode,
      });
      signedIn(member);
    },
  },
  register: {
    send: ({ email, phoneNumber, countryCode }, channel) =>
      api('POST', '/auth/2fa/register/send', { email, phoneNumber, countryCode, channel }),
    sent: sentToPhone,
    checking: 'Creating your account…',
    async confirm({ email, password, phoneNumber, countryCode, confirmationCode }, view) {
      const { member } = await api('POST', '/auth/2fa/register', {
        phoneNumber,
        countryCode,
        email,
        password,
        confirmationCode,
      });
      if (member.status === 'pending') {
        resetView(view);
        for (const form of $$('form', view)) form.hidden = true;
        $('[data-pending]', view).hidden = false;
        $('[data-pending] h2', view).focus();
      } else {
        signedIn(member, 'Welcome! Your account is ready.');
      }
    },
  },
  phone: {
    send: ({ phoneNumber, countryCode }, channel) =>
      api('POST', '/auth/otp/send', { channel, countryCode, phoneNumber }),
    sent: sentToPhone,
    checking: 'Signing you in…',
    async confirm({ confirmationCode, countryCode, phoneNumber }) {
      const { member, isNewMember } = await api('POST', '/auth/otp/login', {
        confirmationCode,
        countryCode,
        phoneNumber,
      });
      signedIn(member, isNewMember ? 'Welcome! Your account is ready.' : '');
    },
  },
  reset: {
    send: ({ email }, channel) => api('POST', '/auth/2fa/password/send', { email, channel }),
    sent: (channel) =>
      channel === 'call'
        ? 'If an account uses this email, we are calling its phone with a code.'
        : 'If an account uses this email, we sent a code by text message to its phone.',
    checking: 'Setting your password…',
    async confirm({ email, confirmationCode, newPassword }, view) {
      await api('POST', '/auth/2fa/password/reset', { email, confirmationCode, newPassword });
      resetView(view);
      resetView(viewOf('login'));
      $('[name="email"]', viewOf('login')).value = email;
      go('login', 'Your password is changed and every session is signed out. Sign in with it.');
    },
  },
};

/** The seed's pattern: details and "Send code", then the code, "Resend by phone call". */
function setUpCodeFlow(name, flow) {
  const view = viewOf(name);
  const details = $('[data-step="details"]', view);
  const code = $('[data-step="code"]', view);
  const resend = $('[data-resend]', code);
  const values = () => ({ ...formValues(details), ...formValues(code) });

  function send(channel, form, trigger) {
    const label = channel === 'call' ? 'Asking for a call…' : 'Sending code…';
    return during(
      view,
      form,
      label,
      async () => {
        await flow.send(values(), channel);
        $('.sent', code).textContent = flow.sent(channel, values(), view);
        if (code.hidden) {
          code.hidden = false;
          $('[name="confirmationCode"]', code).value = '';
        }
        $('[name="confirmationCode"]', code).focus();
      },
      trigger,
    );
  }

  details.addEventListener('submit', (event) => {
    event.preventDefault();
    send(details.elements.channel?.value || 'sms', details, event.submitter);
  });
  resend.addEventListener('click', () => send('call', code, resend));
  code.addEventListener('submit', (event) => {
    event.preventDefault();
    during(view, code, flow.checking, () => flow.confirm(values(), view), event.submitter);
  });
}

/** Back to the first step, with passwords and codes cleared. */
function resetView(view) {
  clearErrors(view);
  for (const form of $$('form', view)) {
    form.hidden = form.dataset.step === 'code';
    for (const control of form.elements) {
      if (control.type === 'password' || control.name === 'confirmationCode') control.value = '';
    }
  }
  for (const line of $$('.sent', view)) line.textContent = '';
  const pending = $('[data-pending]', view);
  if (pending) pending.hidden = true;
}

// ----------------------------------------------------------------------------- signed in/out

function signedIn(member, notice = '') {
  state.member = member;
  for (const name of SIGNED_OUT_VIEWS) resetView(viewOf(name));
  go('account', notice);
}

function signedOut(notice) {
  state.member = null;
  go('login', notice);
}

async function renderAccount() {
  const view = viewOf('account');
  const { member } = state;
  for (const cell of $$('[data-member]', view)) {
    const key = cell.dataset.member;
    cell.textContent = key === 'createdAt' ? formatDate(member[key]) : member[key];
  }
  await renderSessions();
}

async function renderSessions() {
  const view = viewOf('account');
  const list = $('.sessions', view);
  let sessions;
  try {
    sessions = await api('GET', '/auth/sessions');
  } catch (error) {
    if (error.status === 401) return signedOut('Your session has ended. Sign in again.');
    return showError(view, view, error);
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
          during(view, view, 'Ending that session…', async () => {
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

function setUpAccount() {
  const view = viewOf('account');
  $('[data-sign-out]', view).addEventListener('click', () =>
    during(view, view, 'Signing out…', async () => {
      try {
        await api('POST', '/auth/logout');
      } catch (error) {
        if (error.status !== 401) throw error;
      }
      signedOut('You are signed out.');
    }),
  );
}

// -------------------------------------------------------------------------------------- admin

function setUpAdmin() {
  const view = viewOf('admin');
  const form = $('[data-admin-on]', view);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.adminToken = form.elements.adminToken.value;
    during(view, form, 'Loading members…', loadPending, event.submitter);
  });
}

const adminApi = (method, path) =>
  api(method, path, undefined, { 'X-Admin-Token': state.adminToken });

async function loadPending() {
  const view = viewOf('admin');
  const box = $('[data-admin-list]', view);
  try {
    const { items: members } = await adminApi('GET', '/auth/admin/members?status=pending');
    $('.members', box).replaceChildren(...members.map(pendingRow));
    $('.empty', box).hidden = members.length > 0;
    box.hidden = false;
  } catch (error) {
    box.hidden = true;
    throw error;
  }
}

function pendingRow(member) {
  const view = viewOf('admin');
  const row = el(
    'li',
    {},
    el(
      'div',
      {},
      el('strong', {}, member.email),
      el('span', { class: 'muted' }, `${member.phoneNumber} · ${formatDate(member.createdAt)}`),
    ),
  );
  const act = (action, busy, done) => {
    const button = el(
      'button',
      {
        type: 'button',
        class: action === 'block' ? 'danger' : '',
        'aria-label': `${action === 'block' ? 'Block' : 'Approve'} ${member.email}`,
      },
      action === 'block' ? 'Block' : 'Approve',
    );
    button.addEventListener('click', () =>
      during(view, $('[data-admin-on]', view), busy, async () => {
        await adminApi('POST', `/auth/admin/members/${encodeURIComponent(member.id)}/${action}`);
        $('[data-notice]', view).textContent = `${member.email} is ${done}.`;
        await loadPending();
      }),
    );
    return button;
  };
  row.append(
    el(
      'div',
      { class: 'row-actions' },
      act('approve', 'Approving…', 'approved'),
      act('block', 'Blocking…', 'blocked'),
    ),
  );
  return row;
}

// ------------------------------------------------------------------------------------ routing

function go(name, notice = '') {
  state.notice = notice;
  if (location.hash === `#${name}`) route(true);
  else location.hash = name;
}

/** Shows the view named by the URL's hash: no page load between states. */
function route(moveFocus) {
  let name = location.hash.slice(1);
  if (!viewOf(name)) name = state.member ? 'account' : 'login';
  if (state.member && SIGNED_OUT_VIEWS.has(name)) name = 'account';
  if (!state.member && name === 'account') name = 'login';
  if (`#${name}` !== location.hash) history.replaceState(null, '', `#${name}`);

  for (const view of $$('[data-view]')) {
    if (view.hidden || view.dataset.view === name) continue;
    view.hidden = true;
    if (SIGNED_OUT_VIEWS.has(view.dataset.view)) resetView(view);
  }
  const view = viewOf(name);
  view.hidden = false;
  for (const notice of $$('[data-notice]')) notice.textContent = '';
  const notice = $('[data-notice]', view);
  if (notice) notice.textContent = state.notice;
  state.notice = '';

  for (const item of $$('nav [data-when]')) {
    item.hidden = (item.dataset.when === 'signed-in') !== Boolean(state.member);
  }
  for (const link of $$('nav a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const heading = $('h1', view);
  document.title = `${heading.textContent} · ${TITLE}`;
  if (moveFocus) heading.focus();

  if (name === 'account') renderAccount();
  if (name === 'admin') {
    $('[data-admin-off]', view).hidden = state.info.adminEnabled;
    $('[data-admin-on]', view).hidden = !state.info.adminEnabled;
  }
}

// ------------------------------------------------------------------------------ start-up

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
  for (const [name, flow] of Object.entries(flows)) setUpCodeFlow(name, flow);
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
