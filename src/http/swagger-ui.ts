/**
 * Files of the Swagger UI page. The bundle and style sheet come from the
 * installed `swagger-ui-dist` package, read once on first use. The page and
 * its start-up script are ours, so nothing is fetched from a CDN and the
 * page's Content-Security-Policy allows only its own origin.
 */

export interface StaticFile {
  contentType: string;
  content: string | Uint8Array;
}

/** The `swagger-ui-dist` files the page loads, by the name it requests them under. */
const PACKAGE_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;

export type SwaggerUiFileName = keyof typeof PACKAGE_FILES | 'swagger-initializer.js';
export const SWAGGER_UI_FILE_NAMES = [...Object.keys(PACKAGE_FILES), 'swagger-initializer.js'] as SwaggerUiFileName[];

/**
 * Starts Swagger UI on the document named by the page's `data-openapi-url`.
 * `validatorUrl: null` keeps the page from calling validator.swagger.io.
 */
const INITIALIZER = `window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** No inline scripts, no other origins; Swagger UI sets inline styles and data: images. */
export const SWAGGER_UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const cache = new Map<string, Promise<Uint8Array>>();

/** Reads one of the page's files. Throws when `swagger-ui-dist` cannot be read. */
export async function readSwaggerUiFile(name: SwaggerUiFileName): Promise<StaticFile> {
  if (name === 'swagger-initializer.js') return { contentType: 'text/javascript; charset=utf-8', content: INITIALIZER };

  let content = cache.get(name);
  if (content === undefined) {
    content = readPackageFile(name);
    cache.set(name, content);
    // A failed read is retried on the next request instead of being cached.
    content.catch(() => cache.delete(name));
  }
  return { contentType: PACKAGE_FILES[name], content: await content };
}

/** Renders the page, which links the files under `assetsPath` and names the document for the initializer. */
export function swaggerUiPage(assetsPath: string, openApiUrl: string, title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(assetsPath)}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="${escapeHtml(openApiUrl)}"></div>
<script src="${escapeHtml(assetsPath)}/swagger-ui-bundle.js"></script>
<script src="${escapeHtml(assetsPath)}/swagger-initializer.js"></script>
</body>
</html>
`;
}

async function readPackageFile(name: string): Promise<Uint8Array> {
  // Imported on use, so that the route table loads on runtimes without Node's file system.
  const { createRequire } = await import('node:module');
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return readFile(path.join(packageDir, name));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
