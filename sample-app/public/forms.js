/* global document, setTimeout, clearTimeout */
/**
 * What every form of the page does the same way: the parts written once in index.html's
 * templates, errors under their field or on the form, checks made before any request, buttons
 * disabled while a request runs, a refusal's wait counted down, and the two-step code flow (the
 * details collapse into one line once the code is sent) with its resend timer.
 */
import { ApiError } from './api.js';
import { $, $$, el, formValues } from './dom.js';
import { setUpPhoneFields } from './phone.js';

/** Errors whose field is known from their code (the first visible one); others name it first. */
const FIELD_BY_CODE = {
  INVALID_PHONE_NUMBER: ['phoneNumber'],
  COUNTRY_NOT_ALLOWED: ['countryCode'],
  CHANNEL_NOT_ALLOWED: ['channel'],
  INVALID_CODE: ['confirmationCode', 'recoveryCode', 'code'],
  CODE_EXPIRED: ['confirmationCode', 'code'],
  EMAIL_NOT_ALLOWED: ['newEmail'],
  // Only the account forms ask for the current password; elsewhere the error goes on the form.
  INVALID_CREDENTIALS: ['currentPassword'],
  // Only the admin view has this field; elsewhere the error goes on the form.
  UNAUTHENTICATED: ['adminToken'],
};

/** Refusals that are a state of the membership, shown as such rather than as a red error. */
const STATE_CODES = { APPROVAL_PENDING: 'pending', MEMBER_BLOCKED: 'blocked' };

/** Digits of a code: Twilio Verify's default length, and that of authenticator apps. */
export const CODE_LENGTH = 6;

/**
 * Set by the account view: called with a retry when a request answers 403
 * `REVERIFICATION_REQUIRED`, to re-verify the session and then run the request again.
 * Set by the router: `signIn(email)` opens the sign-in with that email, for "Sign in instead".
 */
export const hooks = { reverify: null, signIn: null };

// ---------------------------------------------------------------------------- built parts

/** A copy of a template's content, with `{id}` and each `data-id`/`data-for` given `prefix`. */
function fromTemplate(name, prefix) {
  const content = $(`template#${name}`).content.cloneNode(true);
  for (const node of $$('[data-id]', content)) node.id = `${prefix}-${node.dataset.id}`;
  for (const node of $$('[data-for]', content)) node.htmlFor = `${prefix}-${node.dataset.for}`;
  for (const node of $$('[aria-describedby]', content)) {
    node.setAttribute(
      'aria-describedby',
      node.getAttribute('aria-describedby').replaceAll('{id}', prefix),
    );
  }
  return content;
}

/**
 * Builds the repeated parts: the channel choice of each `[data-channels]`, the country and phone
 * number of each `[data-phone-fields]`, and each code step around the fields it holds.
 */
export function buildParts() {
  for (const fieldset of $$('fieldset[data-channels]')) {
    fieldset.prepend(fromTemplate('channels', 'channels'));
  }
  for (const box of $$('[data-phone-fields]')) {
    const content = fromTemplate('phone-fields', box.dataset.phoneFields);
    if (box.dataset.phoneLabel) {
      $('[data-phone-label]', content).textContent = box.dataset.phoneLabel;
    }
    // A sign-in's phone field is its username, and offers passkeys (`username webauthn`).
    if (box.dataset.autocomplete) {
      $('[data-phone]', content).setAttribute('autocomplete', box.dataset.autocomplete);
    }
    box.replaceWith(content);
  }
  for (const form of $$('form[data-code-step]')) {
    const content = fromTemplate('code-step', form.dataset.codeStep);
    $('[data-submit-label]', content).textContent = form.dataset.submit;
    const own = [...form.children];
    const top = $$('[data-top]', content);
    const bottom = own.filter((node) => node.matches('[data-bottom]'));
    form.replaceChildren(content);
    // The form's own fields go under the code; its own extras under the resend buttons.
    top.at(-1).after(...own.filter((node) => !bottom.includes(node)));
    form.append(...bottom);
  }
  setUpPhoneFields();
  for (const input of $$('input[data-code]')) setUpCodeInput(input);
}

/** Shows the choices of the channels the server has on (WhatsApp only when enabled). */
export function showChannels(channels) {
  for (const node of $$('[data-channel], [data-resend]')) {
    const channel = node.dataset.channel ?? node.dataset.resend;
    node.hidden = !channels.includes(channel);
  }
}

/**
 * A code input takes a pasted code with spaces or dashes, keeps digits only, and submits its
 * form on the last digit when no other field of the form is left empty.
 */
function setUpCodeInput(input) {
  input.addEventListener('input', () => {
    const digits = input.value.replace(/[\s\-–.]/g, '');
    if (digits !== input.value) input.value = digits;
    if (!new RegExp(`^\\d{${CODE_LENGTH}}$`).test(digits)) return;
    const form = input.form;
    const empty = [...form.elements].some(
      (control) =>
        control !== input &&
        control.matches('input:not([type="checkbox"]):not([type="radio"])') &&
        !control.closest('[hidden]') &&
        control.value === '',
    );
    if (!empty && form.closest('[aria-busy="true"]') === null) form.requestSubmit();
  });
}

// ------------------------------------------------------------------------------------ errors

/** The error line under a control, created on first use and tied to it by aria-describedby. */
export function fieldErrorOf(control) {
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

/** What stops the countdown in a view's shown error, by view. */
const waits = new Map();
/** What stops a view's shown wait from being cleared by the next edit of its form, by view. */
const editWatches = new Map();

export function clearErrors(root) {
  waits.get(root)?.();
  waits.delete(root);
  editWatches.get(root)?.();
  editWatches.delete(root);
  for (const line of $$('.field-error, .form-error', root)) {
    line.textContent = '';
    line.removeAttribute('data-state');
  }
  for (const control of $$('[aria-invalid]', root)) control.removeAttribute('aria-invalid');
}

/** The visible control an error is about, if any. */
function controlFor(view, error) {
  const names =
    // A taken email or phone: the view that asks for only one of them names it.
    (error.code === 'ALREADY_REGISTERED' ? [view.dataset.conflictField] : undefined) ??
    FIELD_BY_CODE[error.code] ??
    (error.code === 'VALIDATION_FAILED' ? [/^[A-Za-z]+/.exec(error.message)?.[0]] : []);
  return names
    .filter(Boolean)
    .flatMap((name) => $$(`[name="${name}"]`, view))
    .find((control) => !control.closest('[hidden]'));
}

/** "5 seconds", "about 56 minutes", "about 2 hours": a wait in words. */
export function waitInWords(seconds) {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  if (seconds < 3600) {
    const minutes = Math.ceil(seconds / 60);
    return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
  }
  const hours = Math.round(seconds / 3600);
  return hours === 1 ? 'about 1 hour' : `about ${hours} hours`;
}

/**
 * Calls `render(left)` with the seconds left until `seconds` from now, four times a second, then
 * `done()`; answers a function that stops it.
 */
function countDown(seconds, render, done) {
  const until = Date.now() + seconds * 1000;
  let timer;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) return done();
    render(left);
    timer = setTimeout(tick, 250);
  };
  tick();
  return () => clearTimeout(timer);
}

/** A link that opens the sign-in with the email typed here, for a taken email or phone. */
function signInLink(view) {
  const link = el('a', { href: '#login', class: 'sign-in-instead' }, 'Sign in instead');
  link.addEventListener('click', (event) => {
    event.preventDefault();
    hooks.signIn?.($('[name="email"]', view)?.value ?? '');
  });
  return link;
}

/** Shows an error as its message, next to its field when it has one, else on the form. */
export function showError(view, form, error) {
  let message = error.message;
  const control = error instanceof ApiError ? controlFor(view, error) : undefined;
  let line;
  if (control) {
    // "confirmationCode must be 4 to 10 digits" -> "Confirmation code must be 4 to 10 digits"
    const label = $('label, legend', control.closest('.field'))?.textContent.trim();
    if (label && message.startsWith(control.name)) {
      message = label + message.slice(control.name.length);
    }
    line = fieldErrorOf(control);
    for (const input of $$(`[name="${control.name}"]`, view)) {
      input.setAttribute('aria-invalid', 'true');
    }
    control.focus();
  } else {
    line = $('.form-error', form);
    const state = STATE_CODES[error.code];
    if (state) line.dataset.state = state;
  }
  line.textContent = message;
  if (error.code === 'ALREADY_REGISTERED' || error.code === 'PASSWORD_REQUIRED') {
    line.append(' ', signInLink(view));
  }
  if (error.retryAfter) {
    const text = line.textContent;
    waits.get(view)?.();
    const stop = countDown(
      error.retryAfter,
      (left) => (line.textContent = `${text} You can try again in ${waitInWords(left)}.`),
      () => (line.textContent = `${text} You can try again now.`),
    );
    waits.set(view, stop);
  }
}

/** Shows `message` under `control` and focuses it, as an error of the server would be. */
export function fieldError(control, message) {
  fieldErrorOf(control).textContent = message;
  control.setAttribute('aria-invalid', 'true');
  control.focus();
}

/** What a person can fix before any request is sent: a missing or malformed email, a password. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The module's shortest password; the rest of its policy (common passwords) is its own. */
const MIN_PASSWORD = 8;

/** Checks a form's email and password fields before a request; false when one is shown wrong. */
export function checkFields(form) {
  for (const control of form.elements) {
    if (control.closest('[hidden]')) continue;
    const value = control.value;
    if (control.type === 'email') {
      if (value.trim() === '') return (fieldError(control, 'Enter your email'), false);
      if (!EMAIL.test(value.trim())) {
        return (fieldError(control, 'Enter a valid email address'), false);
      }
    }
    if (control.type === 'password' && value === '' && control.name !== 'adminToken') {
      const label = $('label', control.closest('.field')).textContent.trim().toLowerCase();
      return (fieldError(control, `Enter your ${label.replace(/^current /, '')}`), false);
    }
    if (control.autocomplete === 'new-password' && value.length < MIN_PASSWORD) {
      const name = control.name === 'newPassword' ? 'New password' : 'Password';
      return (fieldError(control, `${name} must be at least ${MIN_PASSWORD} characters`), false);
    }
    if (control.type === 'tel' && value.trim() === '') {
      return (fieldError(control, 'Enter your phone number'), false);
    }
  }
  return true;
}

// -------------------------------------------------------------------------------- busy state

/** The first field a person types in, in a form (not a radio, not the country search). */
const firstField = (form) =>
  $('input:not([type="radio"]):not([type="checkbox"]):not([type="search"])', form);

/**
 * Runs a request for a view: its buttons are disabled and the form's progress line shows
 * `label` until it settles; an error is shown where it belongs. A button refused with
 * `Retry-After` stays disabled, counting down, until it may be used again or a field of its form
 * changes. A request refused with `REVERIFICATION_REQUIRED` is run again once the session is
 * re-verified.
 */
export async function during(view, form, label, task, trigger) {
  if (view.getAttribute('aria-busy') === 'true') return;
  clearErrors(view);
  // Old notices go when a new action starts.
  for (const notice of $$('[data-notice]', view.closest('[data-view]') ?? view)) {
    notice.textContent = '';
  }
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
    if (error.code === 'REVERIFICATION_REQUIRED' && hooks.reverify) {
      hooks.reverify(() => during(view, form, label, task, trigger), view);
    } else {
      showError(view, form, error);
      if (error.retryAfter && trigger) coolDown(view, trigger, error.retryAfter);
    }
  } finally {
    view.removeAttribute('aria-busy');
    for (const button of buttons) button.disabled = button.dataset.coolingDown === 'true';
    progress.hidden = true;
    if (document.activeElement === document.body) {
      // Back where the person was; if that button now waits out a cooldown, to the form's input.
      const target = focused?.disabled ? firstField(form) : focused;
      if (target?.isConnected) target.focus();
    }
  }
}

/** "in 5 s", "in 56 min", "in 2 h" */
const shortWait = (seconds) =>
  seconds < 60
    ? `${seconds} s`
    : seconds < 3600
      ? `${Math.ceil(seconds / 60)} min`
      : `${Math.round(seconds / 3600)} h`;

function coolDown(view, button, seconds) {
  const text = button.dataset.text ?? button.textContent.trim();
  button.dataset.text = text;
  button.dataset.coolingDown = 'true';
  button.disabled = true;
  const form = button.form ?? button.closest('form');
  let stop;
  const release = () => {
    stop?.();
    if (button.dataset.coolingDown !== 'true') return;
    button.textContent = text;
    delete button.dataset.coolingDown;
    button.disabled = button.closest('[aria-busy="true"]') !== null;
  };
  // Other details (another number, another email) are not what the wait was about: the button
  // comes back, and the message goes, even once the wait is over ("You can try again now.").
  const changed = () => {
    clearErrors(view);
    release();
  };
  editWatches.get(view)?.();
  form?.addEventListener('input', changed);
  editWatches.set(view, () => form?.removeEventListener('input', changed));
  stop = countDown(
    seconds,
    (left) => (button.textContent = `${text} (in ${shortWait(left)})`),
    release,
  );
}

// ------------------------------------------------------------------------------ resend timer

/** "0:30" */
const minutesAndSeconds = (seconds) =>
  `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;

/** "10 minutes", "1 minute", "45 seconds" */
export function duration(seconds) {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The running resend timer of each code form. */
const resendTimers = new WeakMap();

/** Stops a code form's resend timer and lets its resend buttons be used. */
export function stopResendWait(form) {
  const timer = resendTimers.get(form);
  if (timer) clearTimeout(timer);
  resendTimers.delete(form);
  const line = $('[data-resend-wait]', form);
  if (line) line.hidden = true;
  for (const button of $$('[data-resend]', form)) {
    if (button.dataset.waiting !== 'true') continue;
    delete button.dataset.waiting;
    delete button.dataset.coolingDown;
    button.disabled = button.closest('[aria-busy="true"]') !== null;
  }
}

/**
 * "Resend code in 0:30", counted down from the moment a code is sent (`resendAfterSeconds` of the
 * send's answer), with the resend buttons disabled until then.
 */
function waitToResend(form, seconds) {
  stopResendWait(form);
  if (!(seconds > 0)) return;
  const line = $('[data-resend-wait]', form);
  const until = Date.now() + seconds * 1000;
  for (const button of $$('[data-resend]', form)) {
    button.dataset.waiting = 'true';
    button.dataset.coolingDown = 'true';
    button.disabled = true;
  }
  line.hidden = false;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) return stopResendWait(form);
    line.textContent = `Resend code in ${minutesAndSeconds(left)}`;
    resendTimers.set(form, setTimeout(tick, 250));
  };
  tick();
}

// ---------------------------------------------------------------------------- code flows

/**
 * The two steps in `view`: details and "Send code", then the code alone, the details collapsed
 * into "Code sent to … · Change". `flow` sends (`send(values, channel)`, which answers the send
 * route's answer), says where the code went (`sent(channel, values, view, answer)`), and confirms
 * (`confirm(values, view)`, with `checking` as its progress line). From the send's answer the code
 * step shows when the code expires and counts down to when another may be sent ("Resend by SMS",
 * "Call me instead", WhatsApp when the server has it); an answer of `codeRequired: false` (a
 * trusted device) ends the flow there, the flow's `send` having signed in.
 */
export function setUpCodeFlow(view, flow) {
  const details = $('[data-step="details"]', view);
  const code = $('[data-step="code"]', view);
  const values = () => ({ ...formValues(details), ...formValues(code) });

  function send(channel, form, trigger) {
    if (form === details && !checkFields(details)) return Promise.resolve();
    const label =
      channel === 'call'
        ? 'Asking for a call…'
        : channel === 'totp'
          ? 'One moment…'
          : 'Sending code…';
    return during(
      view,
      form,
      label,
      async () => {
        const answer = await flow.send(values(), channel);
        if (answer?.codeRequired === false) return;
        $('.sent', code).textContent = flow.sent(channel, values(), view, answer);
        const expiry = $('[data-expiry]', code);
        expiry.textContent =
          answer?.expiresInSeconds > 0 ? `It expires in ${duration(answer.expiresInSeconds)}.` : '';
        waitToResend(code, answer?.resendAfterSeconds);
        $('.resend', code).hidden = channel === 'totp';
        if (code.hidden) {
          code.hidden = false;
          $('[name="confirmationCode"]', code).value = '';
        }
        details.hidden = true;
        $('[name="confirmationCode"]', code).focus();
      },
      trigger,
    );
  }

  details.addEventListener('submit', (event) => {
    event.preventDefault();
    send(details.elements.channel?.value || 'sms', details, event.submitter);
  });
  for (const resend of $$('[data-resend]', code)) {
    resend.addEventListener('click', () => send(resend.dataset.resend, code, resend));
  }
  $('[data-change]', code).addEventListener('click', () => {
    clearErrors(view);
    stopResendWait(code);
    code.hidden = true;
    details.hidden = false;
    (firstField(details) ?? $('input, button', details))?.focus();
  });
  flow.setUp?.(view, { send, values });
  code.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!checkFields(code)) return;
    during(view, code, flow.checking, () => flow.confirm(values(), view), event.submitter);
  });
}

/** Back to the first step, with passwords and codes cleared. */
export function resetView(view) {
  clearErrors(view);
  for (const form of $$('form', view)) {
    stopResendWait(form);
    form.hidden = form.dataset.step !== 'details' && form.dataset.step !== undefined;
    for (const control of form.elements) {
      if (
        control.type === 'password' ||
        /^(confirmationCode|recoveryCode|code)$/.test(control.name)
      ) {
        control.value = '';
      }
    }
  }
  for (const line of $$('.sent, [data-expiry]', view)) line.textContent = '';
  for (const box of $$('input[type="checkbox"][data-reset]', view)) box.checked = false;
  for (const node of $$('[data-pending], [data-confirm]', view)) node.hidden = true;
  for (const node of $$('[data-use-recovery], .switch', view)) node.hidden = false;
  for (const node of $$('[data-use-app], [data-use-sms]', view)) node.hidden = true;
  // Recovery codes are shown once: they leave the page with the view.
  for (const node of $$('[data-secret]', view)) node.replaceChildren();
}

/** "Code sent to +1 (201) 555-0123", "Calling … with your code": where a code went, and how. */
export function sentTo(channel, where) {
  if (channel === 'call') return `Calling ${where} with your code`;
  if (channel === 'whatsapp') return `Code sent by WhatsApp to ${where}`;
  return `Code sent to ${where}`;
}
