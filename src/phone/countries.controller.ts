import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '../http/swagger.js';
import { ApiOtpErrors } from '../http/api-docs.js';
import { CountryResponse } from './country.response.js';
import { Controller, Get, Query } from '@nestjs/common';
import { OtpException } from '../errors/otp.exception.js';
import { OtpErrorCode } from '../errors/otp-error-code.js';
import { Public } from '../http/public.decorator.js';
import { CountriesService, type Country } from './countries.service.js';
import { OtpRoutes } from '../http/otp-routes.decorator.js';

/** The country dropdown's data. */
@ApiTags('Countries')
@Public()
@Controller('countries')
@OtpRoutes({ validate: false })
export class CountriesController {
  constructor(private readonly countries: CountriesService) {}

  /** Countries with dial codes, named and sorted in `locale` (default English). */
  @Get()
  @ApiOperation({ summary: 'Countries with dial codes, named and sorted for a locale' })
  @ApiQuery({ name: 'locale', required: false, example: 'fr' })
  @ApiOkResponse({ type: CountryResponse, isArray: true })
  @ApiOtpErrors(400)
  list(@Query('locale') locale?: unknown): Country[] {
    if (locale !== undefined && (typeof locale !== 'string' || locale.length > 35)) {
      throw new OtpException(OtpErrorCode.VALIDATION_FAILED, {
        message: 'locale must be a language tag such as "en" or "fr-CA"',
      });
    }
    return this.countries.getCountries(locale || undefined);
  }
}
