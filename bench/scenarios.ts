import type { AutocannonRequest } from 'autocannon';

import type { Fixtures } from './fixtures.js';
import { BARE_FLOOR_PATH, JWT_FLOOR_PATH } from './floor-routes.js';

export const SCENARIO_IDS = ['bare', 'jwt', 'auth', 'auth-no-cache', 'list', 'verify', 'refresh', 'login'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** The server it runs against: the default configuration, or one with the device cache off. */
  server: 'default' | 'no-device-cache';
  /** Requests each connection sends in turn. */
  requests(fixtures: Fixtures): AutocannonRequest[];
  /** Requests sent when counting statements; logins cost a password hash each, so fewer. */
  countedRequests: number;
  /**
   * Logins queue on the password hash: at 50 connections one waits for the
   * 49 before it, seconds on a small machine. These widen the request timeout
   * and the measured time so the run sees enough completions.
   */
  timeoutSeconds?: number;
  minDurationSeconds?: number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const bearer = (token: string): AutocannonRequest['headers'] => ({ authorization: `Bearer ${token}` });

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'bare',
    title: 'bare route, no auth (framework floor)',
    server: 'default',
    requests: () => [{ method: 'GET', path: BARE_FLOOR_PATH }],
    countedRequests: 200,
  },
  {
    id: 'jwt',
    title: 'HS256 verify only, fast-jwt cached verifier (JWT floor)',
    server: 'default',
    requests: (fixtures) => fixtures.accessTokens.map((token) => ({ method: 'GET', path: JWT_FLOOR_PATH, headers: bearer(token) })),
    countedRequests: 200,
  },
  {
    id: 'auth',
    title: 'GET /api/me through requireDevice, device cache warm',
    server: 'default',
    requests: (fixtures) => fixtures.accessTokens.map((token) => ({ method: 'GET', path: '/api/me', headers: bearer(token) })),
    countedRequests: 200,
  },
  {
    id: 'auth-no-cache',
    title: 'GET /api/me through requireDevice, device cache off',
    server: 'no-device-cache',
    requests: (fixtures) => fixtures.accessTokens.map((token) => ({ method: 'GET', path: '/api/me', headers: bearer(token) })),
    countedRequests: 200,
  },
  {
    id: 'list',
    title: 'GET /trusted-devices (10 devices)',
    server: 'default',
    requests: (fixtures) => fixtures.listTokens.map((token) => ({ method: 'GET', path: '/trusted-devices', headers: bearer(token) })),
    countedRequests: 200,
  },
  {
    id: 'verify',
    title: 'POST /api/token/verify (access token)',
    server: 'default',
    requests: (fixtures) =>
      fixtures.accessTokens.map((token) => ({ method: 'POST', path: '/api/token/verify', headers: JSON_HEADERS, body: JSON.stringify({ token }) })),
    countedRequests: 200,
  },
  {
    id: 'refresh',
    title: 'POST /api/token/refresh with rotation',
    server: 'default',
    requests: (fixtures) => [
      {
        method: 'POST',
        path: '/api/token/refresh',
        headers: JSON_HEADERS,
        setupRequest(request) {
          // An empty token when the pool ran dry: the server answers 400 and the run is rejected.
          request.body = JSON.stringify({ refresh: fixtures.refreshPool.take() ?? '' });
          return request;
        },
        onResponse(status, body) {
          if (status === 200) fixtures.refreshPool.putBack((JSON.parse(body) as { refresh: string }).refresh);
        },
      },
    ],
    countedRequests: 200,
  },
  {
    id: 'login',
    title: 'POST /api/token (login, scrypt)',
    server: 'default',
    requests: (fixtures) =>
      fixtures.loginUsernames.map((username) => ({
        method: 'POST',
        path: '/api/token',
        headers: JSON_HEADERS,
        body: JSON.stringify({ username, password: fixtures.password }),
      })),
    countedRequests: 20,
    timeoutSeconds: 120,
    minDurationSeconds: 20,
  },
];
