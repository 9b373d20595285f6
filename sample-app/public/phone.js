/* global navigator, Event */
/**
 * The phone fields: the country list (from `/auth/countries`) with a search by name or dial code,
 * the likely country chosen first, an example number of the chosen country, and the number shown
 * back in its national format, with libphonenumber-js (served by the sample as
 * `/vendor/libphonenumber.mjs`).
 */
import { $, $$, el } from './dom.js';

/** libphonenumber-js, once loaded; the fields work without it, unformatted. */
let phoneLib = null;

export async function loadPhoneLibrary() {
  try {
    phoneLib = await import('/vendor/libphonenumber.mjs');
  } catch {
    phoneLib = null;
  }
}

/** The parsed number, or undefined when it is not one. */
function parse(phoneNumber, countryCode) {
  try {
    return phoneLib?.parsePhoneNumberFromString(phoneNumber, countryCode);
  } catch {
    return undefined;
  }
}

/**
 * "+1 (201) 555-0123" for North America (its dial code and national format), "+33 6 12 34 56 78"
 * elsewhere: how a number is shown back. `countryCode` is needed for a national number.
 */
export function formatPhone(phoneNumber, countryCode) {
  const parsed = parse(phoneNumber, countryCode);
  if (!parsed) return undefined;
  return parsed.countryCallingCode === '1'
    ? `+1 ${parsed.formatNational()}`
    : parsed.formatInternational();
}

/** The number a form's phone fields hold, as it is shown back ("+1 (201) 555-0123"). */
export function phoneLabel(values, root) {
  const option = $('select[name="countryCode"]', root)?.selectedOptions[0];
  return (
    formatPhone(values.phoneNumber, values.countryCode) ??
    `${option?.dataset.dial ?? ''} ${values.phoneNumber}`.trim()
  );
}

/** The likely country: the region of the browser's language, when the list has it. */
function likelyCountry(countries) {
  let region;
  try {
    region = new Intl.Locale(navigator.language).maximize().region;
  } catch {
    region = undefined;
  }
  return countries.some((c) => c.code === region) ? region : countries[0]?.code;
}

/** Fills every country list; answers false when the list could not be had. */
export function fillCountries(countries) {
  const preferred = likelyCountry(countries);
  for (const select of $$('select[data-countries]')) {
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
    showExample(select);
  }
}

/** The phone field next to a country list. */
const phoneInputOf = (select) =>
  $('input[data-phone]', select.closest('form') ?? select.closest('.phone-row'));

/** "For example (201) 555-0123", for the chosen country. */
function showExample(select) {
  const input = phoneInputOf(select);
  const line = input && $('[data-phone-example]', input.closest('.field'));
  if (!line) return;
  const example = phoneLib?.getExampleNumber(select.value, phoneLib.examples);
  line.textContent = example ? `For example ${example.formatNational()}` : '';
  input.placeholder = example ? example.formatNational() : '';
}

/** Shows the typed number in the national format of the chosen country, once it is one. */
function formatNational(input) {
  const select = $('select[data-countries]', input.closest('form'));
  const parsed = parse(input.value, select?.value);
  if (parsed?.isValid() && parsed.country === select.value) input.value = parsed.formatNational();
}

/**
 * Typing in the search box chooses the first country whose name or dial code starts with it
 * ("fra", "+33", "33"), and shows only the countries that match in the list.
 */
function setUpSearch(search, select) {
  search.addEventListener('input', () => {
    const typed = search.value.trim().toLowerCase();
    const digits = typed.replace(/^\+/, '');
    let first;
    for (const option of select.options) {
      const name = option.text.replace(/ \(\+\d+\)$/, '').toLowerCase();
      const dial = option.dataset.dial.slice(1);
      const match =
        typed === '' ||
        name.startsWith(typed) ||
        name.split(/[\s-]+/).some((word) => word.startsWith(typed)) ||
        (/^\d+$/.test(digits) && dial.startsWith(digits));
      option.hidden = !match;
      if (match && !first) first = option;
    }
    if (first && typed !== '' && !first.selected) {
      first.selected = true;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    }
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      // The choice is made; Enter does not send the form from the search box.
      event.preventDefault();
      phoneInputOf(select)?.focus();
    }
  });
}

export function setUpPhoneFields() {
  for (const select of $$('select[data-countries]')) {
    const search = $('[data-country-search]', select.closest('.field'));
    if (search) setUpSearch(search, select);
    select.addEventListener('change', () => {
      showExample(select);
      const input = phoneInputOf(select);
      if (input?.value) formatNational(input);
    });
  }
  for (const input of $$('input[data-phone]')) {
    input.addEventListener('blur', () => formatNational(input));
  }
}
