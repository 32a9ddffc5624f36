import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allows, renderRouteTable, ROUTE_ROLES, type RouteKey } from '../../api/access.table.js';
import { ROLES } from '../../db/api-keys.repo.js';
import { withCurrentTable } from '../../scripts/render-route-table.js';

describe('the route × role table', () => {
  it('is the table the README shows (npm run docs:routes writes it)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withCurrentTable(readme) === readme, 'README.md shows another route × role table than api/access.table.ts: run npm run docs:routes').toBe(true);
  });

  it('names only irflow roles, gives admin every route, and gives ingest (alert and change feeds) and metrics nothing but theirs', () => {
    const routes = Object.keys(ROUTE_ROLES) as RouteKey[];
    for (const route of routes) {
      for (const role of ROUTE_ROLES[route] ?? []) expect(ROLES, route).toContain(role);
      expect(allows(route, 'admin'), route).toBe(true);
    }
    expect(routes.filter((route) => allows(route, 'ingest')).sort()).toEqual([...routes.filter((r) => r.startsWith('POST /v1/alerts/')), 'GET /v1/playbooks/schema', 'POST /v1/changes'].sort());
    expect(routes.filter((route) => allows(route, 'metrics'))).toEqual(['GET /metrics']);
  });

  it('renders a row a route and a column a role', () => {
    const lines = renderRouteTable().split('\n');
    expect(lines).toHaveLength(Object.keys(ROUTE_ROLES).length + 2);
    expect(lines[0]).toBe(`| route | ${ROLES.join(' | ')} |`);
    expect(lines).toContain('| `GET /v1/access-log` | ✓ |  |  |  | ✓ |  |  |');
  });
});
