import { compileRoute, matchRoute, RouteTable } from '../../../infra/local/host/routes';

function match(template: string, path: string): Record<string, string> | undefined {
  return matchRoute(compileRoute(template, null), path);
}

describe('route templates', () => {
  it('matches literal segments case-insensitively and binds parameters', () => {
    expect(match('webhooks/{provider}/{integrationId}', 'Webhooks/github/int-1')).toEqual({
      provider: 'github',
      integrationId: 'int-1',
    });
    expect(match('webhooks/{provider}/{integrationId}', 'webhooks/github')).toBeUndefined();
    expect(match('webhooks/{provider}/{integrationId}', 'webhooks/github/int-1/extra')).toBeUndefined();
    expect(match('health', 'health')).toEqual({});
    expect(match('health', 'healthz')).toBeUndefined();
  });

  it('percent-decodes parameter values per segment', () => {
    expect(match('records/{type}/{id}', 'records/contact%20list/a%2Fb')).toEqual({
      type: 'contact list',
      id: 'a/b',
    });
    expect(match('records/{id}', 'records/%E0%A4%A')).toBeUndefined();
  });

  it('lets trailing optional parameters and defaults be absent', () => {
    expect(match('items/{id?}', 'items')).toEqual({});
    expect(match('items/{id?}', 'items/3')).toEqual({ id: '3' });
    expect(match('items/{page=1}', 'items')).toEqual({ page: '1' });
    expect(match('a/{b?}/{c?}', 'a')).toEqual({});
    expect(match('a/{b}/{c?}', 'a')).toBeUndefined();
  });

  it('captures the rest of the path in a catch-all', () => {
    expect(match('files/{*path}', 'files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('files/{**path}', 'files/x')).toEqual({ path: 'x' });
    expect(match('files/{*path}', 'files')).toEqual({});
    expect(() => compileRoute('{*all}/tail', null)).toThrow(/catch-all/);
  });

  it('applies inline constraints', () => {
    expect(match('items/{id:int}', 'items/42')).toEqual({ id: '42' });
    expect(match('items/{id:int}', 'items/forty')).toBeUndefined();
    expect(match('items/{id:int:min(10)}', 'items/9')).toBeUndefined();
    expect(match('items/{id:int:min(10)}', 'items/10')).toEqual({ id: '10' });
    expect(match('items/{id:guid}', 'items/0f8fad5b-d9cb-469f-a165-70867728950e')).toBeDefined();
    expect(match('items/{id:guid}', 'items/nope')).toBeUndefined();
    expect(match('items/{slug:regex(^[a-z]+-\\d+$)}', 'items/abc-12')).toEqual({ slug: 'abc-12' });
    expect(match('items/{slug:regex(^[a-z]+-\\d+$)}', 'items/abc')).toBeUndefined();
    expect(match('items/{code:length(3)}', 'items/abcd')).toBeUndefined();
    expect(match('items/{flag:bool}', 'items/TRUE')).toEqual({ flag: 'TRUE' });
    expect(() => compileRoute('items/{id:wat}', null)).toThrow(/unknown constraint/);
  });

  it('splits complex segments such as {file}.{ext}', () => {
    expect(match('download/{file}.{ext}', 'download/report.final.pdf')).toEqual({
      file: 'report.final',
      ext: 'pdf',
    });
    expect(match('download/{file}.{ext}', 'download/report')).toBeUndefined();
  });

  it('orders routes by precedence, not registration order', () => {
    const table = new RouteTable<string>();
    table.add('items/{*rest}', 'catch-all');
    table.add('items/{id}', 'param');
    table.add('items/{id:int}', 'constrained');
    table.add('items/new', 'literal');
    const first = (path: string): string | undefined => {
      const [best] = table.matches(path);
      return best?.route.value;
    };
    expect(first('items/new')).toBe('literal');
    expect(first('items/5')).toBe('constrained');
    expect(first('items/x')).toBe('param');
    expect(first('items/x/y')).toBe('catch-all');
    expect([...table.matches('items/5')].map((m) => m.route.value)).toEqual([
      'constrained',
      'param',
      'catch-all',
    ]);
  });
});
