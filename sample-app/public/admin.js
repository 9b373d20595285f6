/* global URLSearchParams */
/**
 * The admin view: members a page at a time, by status and by the start of an email or phone,
 * with "Load more"; approve, block, unblock, set the phone of (once the member's identity is
 * checked another way) and delete (after a confirmation) each member.
 */
import { statusBadge } from './account.js';
import { api } from './api.js';
import { $, announce, el, formatDate, formValues, viewOf } from './dom.js';
import { checkFields, during } from './forms.js';
import { formatPhone, phoneLabel } from './phone.js';
import { state } from './state.js';

/** Members per page. */
const PAGE_SIZE = 10;
/** The most members one request may answer (the module's limit). */
const MAX_PAGE_SIZE = 200;

const LIST_NAMES = {
  '': 'Members',
  pending: 'Members waiting for approval',
  approved: 'Approved members',
  blocked: 'Blocked members',
};
const EMPTY = {
  '': 'No members yet.',
  pending: 'No one is waiting for approval.',
  approved: 'No approved members.',
  blocked: 'No blocked members.',
};

/** What the list shows: the filter it was loaded with, and where the next page starts. */
const shown = { status: 'pending', q: '', count: 0, nextCursor: null };

const adminApi = (method, path, body) =>
  api(method, path, body, { 'X-Admin-Token': state.adminToken });

const adminView = () => viewOf('admin');
const filterForm = () => $('[data-admin-on]', adminView());

function query({ status, q, limit, cursor }) {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  if (q) params.set('q', q);
  params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  return `/auth/admin/members?${params}`;
}

/**
 * Loads the list again: the first page of the form's filter, or (`more`) the next page after
 * what is shown, or (`again`) as many members as are shown, after one of them changed.
 */
async function load(mode) {
  const box = $('[data-admin-list]', adminView());
  const list = $('.members', box);
  if (mode === 'first') {
    const { status, q } = formValues(filterForm());
    Object.assign(shown, { status, q, count: 0, nextCursor: null });
  }
  const limit =
    mode === 'again' ? Math.min(Math.max(shown.count, PAGE_SIZE), MAX_PAGE_SIZE) : PAGE_SIZE;
  const cursor = mode === 'more' ? shown.nextCursor : undefined;
  try {
    const page = await adminApi('GET', query({ ...shown, limit, cursor }));
    const rows = page.items.map(memberRow);
    if (mode === 'more') list.append(...rows);
    else list.replaceChildren(...rows);
    shown.count = mode === 'more' ? shown.count + rows.length : rows.length;
    shown.nextCursor = page.nextCursor;
  } catch (error) {
    if (mode === 'first') box.hidden = true;
    throw error;
  }
  list.setAttribute('aria-label', LIST_NAMES[shown.status]);
  $('.empty', box).textContent = shown.q
    ? `No member's email or phone number starts with “${shown.q}”.`
    : EMPTY[shown.status];
  $('.empty', box).hidden = shown.count > 0;
  $('[data-count]', box).textContent =
    shown.count === 0
      ? ''
      : `Showing ${shown.count === 1 ? '1 member' : `${shown.count} members`}` +
        (shown.nextCursor ? '; more to load.' : '.');
  $('[data-more]', box).hidden = !shown.nextCursor;
  box.hidden = false;
}

function memberRow(member) {
  const view = adminView();
  const listBox = $('[data-admin-list]', view);
  const row = el(
    'li',
    {},
    el(
      'div',
      {},
      el('strong', {}, member.email),
      el(
        'span',
        { class: 'muted' },
        `${formatPhone(member.phoneNumber) ?? member.phoneNumber} · since ${formatDate(member.createdAt)}`,
      ),
      statusBadge(member.status),
    ),
  );
  const actions = el('div', { class: 'row-actions' });
  const button = (text, label, className, onClick) => {
    const node = el('button', { type: 'button', class: className, 'aria-label': label }, text);
    node.addEventListener('click', onClick);
    return node;
  };
  const act = (action, text, busy, done, className = '') =>
    button(text, `${text} ${member.email}`, className, () =>
      during(view, listBox, busy, async () => {
        await adminApi('POST', `/auth/admin/members/${encodeURIComponent(member.id)}/${action}`);
        announce(view, `${member.email} is ${done}.`);
        await load('again');
      }),
    );
  const remove = button('Delete', `Delete ${member.email}`, 'danger', () => {
    const question = el(
      'p',
      { class: 'confirm-question', tabindex: '-1' },
      `Delete ${member.email} for good, with their sessions?`,
    );
    const yes = button('Yes, delete', `Yes, delete ${member.email}`, 'danger', () =>
      during(view, listBox, 'Deleting…', async () => {
        await adminApi('DELETE', `/auth/admin/members/${encodeURIComponent(member.id)}`);
        announce(view, `${member.email} is deleted.`);
        await load('again');
      }),
    );
    const no = button('Cancel', `Cancel, keep ${member.email}`, 'secondary', () => {
      actions.replaceChildren(...standing());
      remove.focus();
    });
    actions.replaceChildren(question, yes, no);
    question.focus();
  });
  const setPhone = button('Set phone', `Set phone of ${member.email}`, 'secondary', () => {
    const form = phoneForm(member, () => {
      actions.replaceChildren(...standing());
      setPhone.focus();
    });
    actions.replaceChildren(form);
    $('input[data-phone]', form).focus();
  });
  const standing = () => [
    ...(member.status === 'pending' ? [act('approve', 'Approve', 'Approving…', 'approved')] : []),
    ...(member.status === 'blocked'
      ? [act('unblock', 'Unblock', 'Unblocking…', 'unblocked')]
      : [act('block', 'Block', 'Blocking…', 'blocked', 'danger')]),
    setPhone,
    remove,
  ];
  actions.append(...standing());
  row.append(actions);
  return row;
}

/**
 * "Set phone": a country and a number for the member (`POST /auth/admin/members/:id/phone`),
 * which signs their sessions out; `cancel` puts the row's buttons back.
 */
function phoneForm(member, cancel) {
  const view = adminView();
  const id = `admin-phone-${member.id}`;
  const countries = $('select[data-countries]').cloneNode(true);
  Object.assign(countries, { id: `${id}-country`, name: 'countryCode' });
  countries.removeAttribute('data-countries');
  countries.removeAttribute('aria-describedby');
  countries.value = $('select[data-countries]').value;
  const number = el('input', {
    id: `${id}-number`,
    name: 'phoneNumber',
    type: 'tel',
    autocomplete: 'off',
    'data-phone': '',
  });
  const form = el(
    'form',
    { class: 'set-phone', novalidate: '', 'aria-label': `New phone of ${member.email}` },
    el('div', { class: 'field' }, el('label', { for: countries.id }, 'Country'), countries),
    el('div', { class: 'field' }, el('label', { for: number.id }, 'New phone number'), number),
    el('p', { class: 'form-error', role: 'alert' }),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit' }, 'Save phone'),
      el('button', { type: 'button', class: 'secondary', 'data-cancel': '' }, 'Cancel'),
      el('p', { class: 'progress', role: 'status', hidden: '' }),
    ),
  );
  $('[data-cancel]', form).addEventListener('click', cancel);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!checkFields(form)) return;
    const values = formValues(form);
    during(view, form, 'Setting the phone…', async () => {
      await adminApi('POST', `/auth/admin/members/${encodeURIComponent(member.id)}/phone`, values);
      announce(
        view,
        `${member.email}'s phone is now ${phoneLabel(values, form)}; their sessions are signed out.`,
      );
      await load('again');
    });
  });
  return form;
}

export function setUpAdmin() {
  const view = adminView();
  const form = filterForm();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.adminToken = form.elements.adminToken.value;
    $('[data-notice]', view).textContent = '';
    during(view, form, 'Loading members…', () => load('first'), event.submitter);
  });
  const more = $('[data-more]', view);
  more.addEventListener('click', () =>
    during(view, $('[data-admin-list]', view), 'Loading more members…', async () => {
      const before = shown.count;
      await load('more');
      // The first member of the new page, so that the keyboard goes on from there.
      $(`.members > li:nth-child(${before + 1}) button`, view)?.focus();
    }),
  );
}

/** The admin view shows its form only when the sample mounts the admin routes. */
export function renderAdmin() {
  const view = adminView();
  $('[data-admin-off]', view).hidden = state.info.adminEnabled;
  $('[data-admin-on]', view).hidden = !state.info.adminEnabled;
}
