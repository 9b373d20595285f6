/**
 * The signed-out views: two-factor sign-in, sign-up, phone sign-in and password reset, each the
 * seed's two steps; the sign-ins also take a recovery code instead of a code sent to the phone,
 * and the two-factor sign-in a code of the member's authenticator app, and trusts the browser
 * when asked (the module's HttpOnly `otp_device` cookie), which then signs in without a code.
 * After these sign-ins the account view offers a passkey once (`passkeys.js` signs in with one).
 */
import { api } from './api.js';
import { $, $$, formValues, viewOf } from './dom.js';
import { checkFields, during, resetView, sentTo, setUpCodeFlow } from './forms.js';
import { phoneLabel } from './phone.js';
import { go, signedIn } from './router.js';
import { state } from './state.js';

/** Where the code went, for the flows where the person typed the phone number. */
const sentToPhone = (channel, values, view) => sentTo(channel, phoneLabel(values, view));

/** "30 days", from what the server says of trusted devices. */
const trustedDays = () =>
  state.info.trustedDeviceDays === 1 ? '1 day' : `${state.info.trustedDeviceDays} days`;

const flows = {
  login: {
    async send({ email, password }, channel) {
      const answer = await api('POST', '/auth/2fa/login/send', { email, password, channel });
      if (answer.codeRequired === false) {
        // A trusted browser: the password is enough.
        const { member } = await api('POST', '/auth/2fa/login', { email, password });
        state.offerPasskey = true;
        signedIn(member, 'This browser is trusted: you are signed in without a code.');
      }
      return answer;
    },
    sent(channel, values, view, answer) {
      // Once the password is right, the answer lists how the member can prove it is them.
      const hasApp = answer.methods?.includes('totp') ?? false;
      $('[data-use-app]', view).hidden = !hasApp || channel === 'totp';
      $('[data-use-sms]', view).hidden = channel !== 'totp';
      if (channel === 'totp') return 'Type the 6-digit code your authenticator app shows';
      return sentTo(channel, 'the phone of your account');
    },
    checking: 'Signing you in…',
    async confirm({ email, password, confirmationCode }, view) {
      const box = $('[name="rememberDevice"]', view);
      // The details step is collapsed by now: the box counts unless trusted devices are off.
      const rememberDevice = box.checked && !box.closest('[data-trust]').hidden;
      const { member } = await api('POST', '/auth/2fa/login', {
        email,
        password,
        confirmationCode,
        ...(rememberDevice && { rememberDevice }),
      });
      state.offerPasskey = true;
      signedIn(
        member,
        rememberDevice
          ? `This browser is trusted for ${trustedDays()}: it signs in without a code.`
          : '',
      );
    },
    /**
     * "Use my authenticator app", up front (nothing is sent, not even a first text message) or
     * from the code step, and from there a text message after all.
     */
    setUp(view, { send }) {
      const details = $('[data-step="details"]', view);
      const code = $('[data-step="code"]', view);
      const first = $('[data-use-app-first]', view);
      const app = $('[data-use-app]', view);
      const sms = $('[data-use-sms]', view);
      first.addEventListener('click', () => send('totp', details, first));
      app.addEventListener('click', () => send('totp', code, app));
      sms.addEventListener('click', () => send('sms', code, sms));
    },
  },
  register: {
    // The password goes with the send, so that a weak one is refused before a code is spent.
    send: ({ email, password, phoneNumber, countryCode }, channel) =>
      api('POST', '/auth/2fa/register/send', {
        email,
        password,
        phoneNumber,
        countryCode,
        channel,
      }),
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
        $('.switch', view).hidden = true;
        $('[data-pending]', view).hidden = false;
        $('[data-pending] h2', view).focus();
      } else {
        state.offerPasskey = true;
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
      state.offerPasskey = true;
      signedIn(member, isNewMember ? 'Welcome! Your account is ready.' : '');
    },
  },
  reset: {
    // The new password goes with the send: a weak one is refused before a code is spent.
    send: ({ email, newPassword }, channel) =>
      api('POST', '/auth/2fa/password/send', { email, newPassword, channel }),
    sent: (channel) =>
      `If an account uses this email: ${sentTo(channel, 'its phone').replace(/^C/, 'c')}`,
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

/** How each sign-in takes a recovery code instead of a code sent to the phone. */
const recoveries = {
  login: ({ email, password, recoveryCode }) =>
    api('POST', '/auth/2fa/login', { email, password, recoveryCode }),
  phone: ({ countryCode, phoneNumber, recoveryCode }) =>
    api('POST', '/auth/otp/recover', { countryCode, phoneNumber, recoveryCode }),
};

/**
 * "Use a recovery code": the details the sign-in already asks for, and a recovery code instead
 * of a code sent to the phone. A member who needs one has most likely lost their phone: the
 * account view then opens on its change-phone form.
 */
function setUpRecovery(name, recover) {
  const view = viewOf(name);
  const details = $('[data-step="details"]', view);
  const form = $('[data-step="recovery"]', view);
  const open = $('[data-use-recovery]', view);
  open.addEventListener('click', () => {
    open.hidden = true;
    details.hidden = false;
    $('[data-step="code"]', view).hidden = true;
    form.hidden = false;
    $('[name="recoveryCode"]', form).focus();
  });
  // Sending a code to the phone after all: back to the code sign-in.
  details.addEventListener('submit', () => {
    form.hidden = true;
    open.hidden = false;
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!checkFields(details)) return;
    during(view, form, 'Signing you in…', async () => {
      const { member, recoveryCodesRemaining: left } = await recover({
        ...formValues(details),
        ...formValues(form),
      });
      const codes = left === 1 ? '1 recovery code' : `${left} recovery codes`;
      state.focus = '[data-part="phone"] [name="phoneNumber"]';
      signedIn(
        member,
        `You are signed in with a recovery code; you have ${codes} left. ` +
          'If you lost your phone, set your new number below.',
      );
    });
  });
}

export function setUpSignIn() {
  for (const [name, flow] of Object.entries(flows)) setUpCodeFlow(viewOf(name), flow);
  for (const [name, recover] of Object.entries(recoveries)) setUpRecovery(name, recover);
}
