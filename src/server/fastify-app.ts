import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

import { trustedDevices } from '../adapters/fastify/index.js';
import { errorResponse } from '../http/error-response.js';
import type { ApiOptions } from '../http/route-table.js';
import { malformedPathError } from '../http/routes.js';
import type { TrustedDevices } from '../trusted-devices.js';
import { HEALTH_BODY, INTERNAL_ERROR_BODY, NOT_FOUND_BODY, meBody } from './app-bodies.js';

/** Builds the standalone server's Fastify app, which responds exactly as the Express one in `app.ts`. */
export async function createFastifyApp(td: TrustedDevices, apiOptions: ApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Express matches the host routes with or without a trailing slash; so does this app.
    routerOptions: { ignoreTrailingSlash: true },
    // A path that is not valid percent-encoding fails in the router, before any route's scope.
    frameworkErrors: (error, _request, reply) => {
      if (error.code !== 'FST_ERR_BAD_URL') td.logger.warn({ err: error }, 'request rejected by the router');
      const response = errorResponse(malformedPathError(), td.logger);
      void (reply as FastifyReply).code(400).send(response.body);
    },
  });
  // The host routes read no body; leave any unread, as Express does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.get('/health', () => HEALTH_BODY);
  await app.register(trustedDevices, { td, ...apiOptions });
  app.get('/api/me', { onRequest: app.requireDevice }, (request) => meBody(request.trustedDevice!));

  app.setNotFoundHandler((_request, reply) => reply.code(404).send(NOT_FOUND_BODY));
  app.setErrorHandler((error, _request, reply) => {
    td.logger.error({ err: error }, 'unhandled error');
    return reply.code(500).send(INTERNAL_ERROR_BODY);
  });
  return app;
}
