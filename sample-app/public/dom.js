/* global document */
/** Small DOM helpers shared by the views. */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
export const viewOf = (name) => $(`[data-view="${name}"]`);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDate = (iso) => dateTime.format(new Date(iso));

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The values of a form's named controls (the checked radio of a group). */
export function formValues(form) {
  const values = {};
  for (const control of form.elements) {
    if (!control.name || (control.type === 'radio' && !control.checked)) continue;
    values[control.name] = control.type === 'password' ? control.value : control.value.trim();
  }
  return values;
}

/**
 * Shows `message` in the notice of `root` and moves the focus to it; `state` is how it looks:
 * `success`, `pending` (waiting on someone) or `error`.
 */
export function announce(root, message, state = 'success') {
  const notice = $('[data-notice]', root);
  notice.textContent = message;
  notice.dataset.state = state;
  notice.focus();
}

/** "HeadlessChrome/156 … Linux" -> "Headless Chrome on Linux". */
export function browserName(userAgent) {
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
