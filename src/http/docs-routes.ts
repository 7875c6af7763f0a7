import type { TrustedDevices } from '../trusted-devices.js';
import { buildOpenApiDocument } from './openapi.js';
import type { DocsPaths } from './route-table.js';
import type { RouteDefinition } from './routes.js';
import { readSwaggerUiFile, SWAGGER_UI_CSP, SWAGGER_UI_FILE_NAMES, swaggerUiPage } from './swagger-ui.js';
import type { HttpRequest } from './types.js';

/**
 * Routes that serve the OpenAPI document and the optional Swagger UI page.
 * Both work out the mount prefix from the request path, so the document's
 * server URL and the page's links are right under any prefix.
 */
export function buildDocsRoutes(td: TrustedDevices, paths: DocsPaths): RouteDefinition[] {
  const { openApiPath, swaggerUiPath } = paths;
  if (openApiPath === false) return [];

  const documents = new Map<string, unknown>();
  const routes: RouteDefinition[] = [
    {
      method: 'GET',
      path: openApiPath,
      authenticated: false,
      hasBody: false,
      handle(request) {
        const base = mountPrefix(request, openApiPath);
        let document = documents.get(base);
        if (document === undefined) {
          document = buildOpenApiDocument(td, { serverUrl: base === '' ? '/' : base });
          // The prefix comes from the host's mount points, so there are only a few.
          documents.set(base, document);
        }
        return Promise.resolve({ status: 200, body: document });
      },
    },
  ];
  if (swaggerUiPath === false) return routes;

  routes.push({
    method: 'GET',
    path: swaggerUiPath,
    authenticated: false,
    hasBody: false,
    handle(request) {
      const base = mountPrefix(request, swaggerUiPath);
      const page = swaggerUiPage(`${base}${swaggerUiPath}`, `${base}${openApiPath}`, 'trusted-devices API');
      return Promise.resolve({
        status: 200,
        content: page,
        headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': SWAGGER_UI_CSP },
      });
    },
  });
  for (const name of SWAGGER_UI_FILE_NAMES) {
    routes.push({
      method: 'GET',
      path: `${swaggerUiPath}/${name}`,
      authenticated: false,
      hasBody: false,
      async handle() {
        const file = await readSwaggerUiFile(name);
        return { status: 200, content: file.content, headers: { 'content-type': file.contentType, 'cache-control': 'public, max-age=3600' } };
      },
    });
  }
  return routes;
}

/** Returns the part of the request path before the route's own path: `/auth` for `/auth/openapi.json`. */
function mountPrefix(request: HttpRequest, routePath: string): string {
  const path = request.path.endsWith('/') ? request.path.slice(0, -1) : request.path;
  return path.endsWith(routePath) ? path.slice(0, path.length - routePath.length) : '';
}
