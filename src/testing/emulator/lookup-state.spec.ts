import { LookupState } from './lookup-state.js';

const MOBILE = '+15005550006';

describe('LookupState (without HTTP)', () => {
  it('validates a number and answers every package as null unless asked for', () => {
    const lookup = new LookupState();
    const answer = lookup.query(MOBILE, {});
    expect(answer).toMatchObject({
      calling_country_code: '1',
      phone_number: MOBILE,
      valid: true,
      validation_errors: [],
      line_type_intelligence: null,
      sms_pumping_risk: null,
      caller_name: null,
    });
    expect(answer).not.toHaveProperty('url');
  });

  it('reads a national number with its CountryCode, and reports invalid ones', () => {
    const lookup = new LookupState();
    expect(lookup.query('07400 123456', { countryCode: 'gb' })).toMatchObject({
      country_code: 'GB',
      phone_number: '+447400123456',
      valid: true,
    });
    expect(lookup.query('12345', {})).toMatchObject({
      valid: false,
      phone_number: '12345',
      national_format: null,
      validation_errors: ['NOT_A_NUMBER'],
    });
    expect(lookup.query('+1', {}).validation_errors).toEqual(['TOO_SHORT']);
  });

  it('answers the line type and pumping risk set, only for a valid number that asks', () => {
    const lookup = new LookupState();
    lookup.setLineType(MOBILE, 'nonFixedVoip');
    lookup.setSmsPumpingRisk(MOBILE, 80);
    const fields = ' line_type_intelligence , sms_pumping_risk';

    expect(lookup.query(MOBILE, { fields })).toMatchObject({
      line_type_intelligence: {
        type: 'nonFixedVoip',
        carrier_name: 'Twilio - SMS/MMS-SVR',
        mobile_network_code: '999',
      },
      sms_pumping_risk: {
        sms_pumping_risk_score: 80,
        carrier_risk_category: 'high',
        number_blocked: true,
        number_blocked_last_3_months: true,
      },
    });
    expect(lookup.query('+15005550007', { fields })).toMatchObject({
      line_type_intelligence: { type: 'mobile', mobile_network_code: '260' },
      sms_pumping_risk: { sms_pumping_risk_score: 0, carrier_risk_category: 'low' },
    });
    expect(lookup.query('12345', { fields })).toMatchObject({
      line_type_intelligence: null,
      sms_pumping_risk: null,
    });
  });

  it.each([
    [39, 'low'],
    [40, 'mild'],
    [59, 'mild'],
    [60, 'moderate'],
    [79, 'moderate'],
    [80, 'high'],
  ])('puts a pumping risk score of %i in the %s category', (score, category) => {
    const lookup = new LookupState();
    lookup.setSmsPumpingRisk(MOBILE, score);
    expect(lookup.query(MOBILE, { fields: 'sms_pumping_risk' }).sms_pumping_risk).toMatchObject({
      carrier_risk_category: category,
      number_blocked: score >= 80,
    });
  });

  it('refuses a number that is not E.164, an unknown line type and an out-of-range score', () => {
    const lookup = new LookupState();
    expect(() => lookup.setLineType('5550006', 'mobile')).toThrow(RangeError);
    expect(() => lookup.setLineType(MOBILE, 'satellite' as 'mobile')).toThrow(
      'setLineType expects one of landline, mobile, fixedVoip, nonFixedVoip, personal, ' +
        'tollFree, premium, sharedCost, uan, voicemail, pager, unknown, got satellite',
    );
    expect(() => lookup.setSmsPumpingRisk('5550006', 10)).toThrow(RangeError);
    expect(() => lookup.setSmsPumpingRisk(MOBILE, 101)).toThrow(RangeError);
    expect(() => lookup.setSmsPumpingRisk(MOBILE, 1.5)).toThrow(RangeError);
  });

  it('reset forgets the line types and scores set', () => {
    const lookup = new LookupState();
    lookup.setLineType(MOBILE, 'landline');
    lookup.setSmsPumpingRisk(MOBILE, 90);
    lookup.reset();
    expect(
      lookup.query(MOBILE, { fields: 'line_type_intelligence,sms_pumping_risk' }),
    ).toMatchObject({
      line_type_intelligence: { type: 'mobile' },
      sms_pumping_risk: { sms_pumping_risk_score: 0 },
    });
  });
});
