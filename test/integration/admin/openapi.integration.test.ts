import '../../support/localHost';

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AdminApi } from './harness';
import { startAdminApi } from './harness';

jest.setTimeout(60_000);

let api: AdminApi;
beforeAll(async () => {
  api = await startAdminApi();
});
afterAll(async () => {
  await api.stop();
});

/** The validator is ESM-only; it runs in a plain Node child, as its CLI would. */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown; version?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const script = `
      const { Validator } = require('@seriousme/openapi-schema-validator');
      const validator = new Validator();
      validator.validate(process.argv[1]).then((res) => {
        process.stdout.write(JSON.stringify({ ...res, version: validator.version }));
      });`;
    const out = execFileSync(process.execPath, ['-e', script, file], {
      cwd: join(__dirname, '../../..'),
      encoding: 'utf8',
    });
    return JSON.parse(out) as { valid: boolean; errors?: unknown; version?: string };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `admin/integrations/{id}/{action:regex(^(pause|resume)$)}` → a regex over OpenAPI paths. */
function routePattern(route: string): RegExp {
  let body = '';
  for (const segment of route.split('/')) {
    const constrained = /^\{[^:}]+:regex\(\^?(.*?)\$?\)\}$/.exec(segment);
    if (constrained?.[1] !== undefined) body += `/${constrained[1]}`;
    // An optional parameter (`{runId?}`) matches the path with or without it.
    else if (segment.startsWith('{')) body += segment.endsWith('?}') ? '(?:/\\{[^/]+\\})?' : '/\\{[^/]+\\}';
    else body += `/${segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')}`;
  }
  return new RegExp(`^${body}$`);
}

it('serves an OpenAPI 3.1 document that validates against the OpenAPI 3.1 schema', async () => {
  const res = await api.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  const result = validateOpenApi(res.body);
  expect(result).toMatchObject({ valid: true, version: '3.1' });

  // The validator is not lenient: a broken document fails it.
  const broken = { ...res.body, paths: { '/x': { get: { responses: { '200': { content: 'nope' } } } } } };
  expect(validateOpenApi(broken).valid).toBe(false);
});

it('documents every admin route the host serves, with every method, the security schemes and the error envelope', async () => {
  const doc = (await api.call('GET', '/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { security?: unknown[]; responses: Record<string, unknown>; 'x-required-role'?: string }>
    >;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  };
  const adminFunctions = api.host.functions.filter((fn) => {
    const trigger = Object.values(
      (fn.metadata as { bindings: Record<string, { type?: string; route?: string }> }).bindings,
    ).find((b) => b.type === 'httpTrigger');
    return trigger?.route?.startsWith('admin/') === true;
  });
  expect(adminFunctions.length).toBeGreaterThanOrEqual(13);
  for (const fn of adminFunctions) {
    const trigger = Object.values(
      (fn.metadata as { bindings: Record<string, { type?: string; route: string; methods: string[] }> })
        .bindings,
    ).find((b) => b.type === 'httpTrigger')!;
    const pattern = routePattern(trigger.route);
    const documented = Object.keys(doc.paths).filter((p) => pattern.test(p));
    expect([fn.name, documented.length > 0]).toEqual([fn.name, true]);
    for (const method of trigger.methods) {
      const withMethod = documented.filter((p) => doc.paths[p]![method.toLowerCase()] !== undefined);
      expect([fn.name, method, withMethod.length > 0]).toEqual([fn.name, method, true]);
    }
  }
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      '/admin/integrations',
      '/admin/integrations/{id}',
      '/admin/integrations/{id}/test',
      '/admin/connections/{id}/rotate',
    ]),
  );
  expect(doc.components.securitySchemes).toHaveProperty('ApiKeyHeader');
  expect(doc.components.schemas).toHaveProperty('IntegrationCreate');
  const create = doc.paths['/admin/integrations']!['post']!;
  expect(create['x-required-role']).toBe('admin');
  expect(Object.keys(create.responses)).toEqual(
    expect.arrayContaining(['201', '400', '401', '403', '409', '413', '415']),
  );
  expect(doc.paths['/openapi.json']!['get']!.security).toEqual([]);
});
