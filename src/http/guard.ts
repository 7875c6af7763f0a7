import type { AuthContext } from '../service/authenticate.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { errorResponse } from './error-response.js';
import { headerValue } from './request-body.js';
import { clientInfo } from './routes.js';
import type { HttpResponse, RequestHeaders } from './types.js';

/** Either the request's user and device, or the error response to send instead. */
export type GuardResult = { auth: AuthContext; response?: undefined } | { auth?: undefined; response: HttpResponse };

/**
 * Authenticates a request to one of the host's own routes by its bearer
 * token and device. Every adapter's guard calls this, so a 401 looks the same
 * on each framework. Never throws.
 */
export async function authenticateRequest(td: TrustedDevices, headers: RequestHeaders, socketAddress: string | undefined): Promise<GuardResult> {
  try {
    const auth = await td.authenticate(headerValue(headers.authorization), clientInfo(td, headers, socketAddress));
    return { auth };
  } catch (error) {
    return { response: errorResponse(error, td.logger) };
  }
}
