/* global document, setInterval, clearInterval, setTimeout, clearTimeout */
/**
 * What every form of the page does the same way: errors under their field or on the form, buttons
 * disabled while a request runs, `Retry-After` counted down, and the seed's two-step code flow
 * with its resend timer.
 */
import { ApiError } from './api.js';
import { $, $$, el, formValues } from './dom.js';

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

/**
 * Set by the account view: called with a retry when a request answers 403
 * `REVERIFICATION_REQUIRED`, to re-verify the session and then run the request again.
 */
export const hooks = { reverify: null };

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

export function clearErrors(root) {
  for (const line of $$('.field-error, .form-error', root)) line.textContent = '';
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

/** Shows an error as its message, next to its field when it has one, else on the form. */
export function showError(view, form, error) {
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
 * `Retry-After` stays disabled, counting down, until it may be used again. A request refused
 * with `REVERIFICATION_REQUIRED` is run again once the session is re-verified.
 */
export async function during(view, form, label, task, trigger) {
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
    if (error.code === 'REVERIFICATION_REQUIRED' && hooks.reverify) {
      hooks.reverify(() => during(view, form, label, task, trigger), view);
    } else {
      showError(view, form, error);
      if (error.retryAfter && trigger) coolDown(trigger, error.retryAfter);
    }
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

/** The line above a code form's resend button that counts down to when it may be used. */
function resendWaitOf(form) {
  let line = $('[data-resend-wait]', form);
  if (!line) {
    line = el('p', { class: 'resend-wait', 'data-resend-wait': '' });
    line.hidden = true;
    $('[data-resend]', form).before(line);
  }
  return line;
}

/** Stops a code form's resend timer and lets its resend button be used. */
export function stopResendWait(form) {
  const timer = resendTimers.get(form);
  if (timer) clearTimeout(timer);
  resendTimers.delete(form);
  const line = $('[data-resend-wait]', form);
  if (line) line.hidden = true;
  const button = $('[data-resend]', form);
  if (button?.dataset.waiting === 'true') {
    delete button.dataset.waiting;
    delete button.dataset.coolingDown;
    button.disabled = button.closest('[aria-busy="true"]') !== null;
  }
}

/**
 * "Resend code in 0:30", counted down from the moment a code is sent (`resendAfterSeconds` of the
 * send's answer), with the resend button disabled until then.
 */
function waitToResend(form, seconds) {
  stopResendWait(form);
  if (!(seconds > 0)) return;
  const button = $('[data-resend]', form);
  const line = resendWaitOf(form);
  const until = Date.now() + seconds * 1000;
  button.dataset.waiting = 'true';
  button.dataset.coolingDown = 'true';
  button.disabled = true;
  line.hidden = false;
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) return stopResendWait(form);
    line.textContent = `Resend code in ${minutesAndSeconds(left)}`;
    resendTimers.set(form, setTimeout(tick, 250));
  };
  tick();
}

/** "It expires in 10 minutes.", under the line that says where the code went. */
function showExpiry(form, seconds) {
  let line = $('[data-expiry]', form);
  if (!line) {
    line = el('p', { class: 'expiry', 'data-expiry': '' });
    $('.sent', form).after(line);
  }
  line.textContent = seconds > 0 ? `It expires in ${duration(seconds)}.` : '';
}

// ---------------------------------------------------------------------------- code flows

/**
 * The seed's pattern in `view`: details and "Send code", then the code, "Resend by phone call".
 * `flow` sends (`send(values, channel)`, which answers the send route's answer), says where the
 * code went (`sent(channel, values, view, answer)`), and confirms (`confirm(values, view)`, with
 * `checking` as its progress line). From the send's answer the code step shows when the code
 * expires and counts down to when another may be sent; an answer of `codeRequired: false` (a
 * trusted device) ends the flow there, the flow's `send` having signed in.
 */
export function setUpCodeFlow(view, flow) {
  const details = $('[data-step="details"]', view);
  const code = $('[data-step="code"]', view);
  const resend = $('[data-resend]', code);
  const values = () => ({ ...formValues(details), ...formValues(code) });

  function send(channel, form, trigger) {
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
        showExpiry(code, answer?.expiresInSeconds);
        waitToResend(code, answer?.resendAfterSeconds);
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
  flow.setUp?.(view, { send, values });
  code.addEventListener('submit', (event) => {
    event.preventDefault();
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
  for (const node of $$('[data-use-recovery]', view)) node.hidden = false;
  for (const node of $$('[data-use-app], [data-use-sms]', view)) node.hidden = true;
  // Recovery codes are shown once: they leave the page with the view.
  for (const node of $$('[data-secret]', view)) node.replaceChildren();
}
