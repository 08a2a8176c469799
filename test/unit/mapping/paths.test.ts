import { formatPath, parsePath } from '../../../shared/mapping';

describe('paths', () => {
  it('parses dots, indexes, wildcards, escapes and quoted keys', () => {
    const p = parsePath('a.b[0][*].c\\.d["e]f"]');
    expect(p).toEqual({
      ok: true,
      path: [
        { kind: 'key', key: 'a' },
        { kind: 'key', key: 'b' },
        { kind: 'index', index: 0 },
        { kind: 'wildcard' },
        { kind: 'key', key: 'c.d' },
        { kind: 'key', key: 'e]f' },
      ],
    });
    if (p.ok) expect(formatPath(p.path)).toBe('a.b[0][*]["c.d"]["e]f"]');
  });

  it('refuses malformed paths with a reason', () => {
    for (const bad of [
      '',
      'a.',
      '.a',
      'a..b',
      'a[',
      'a[x]',
      'a[-1]',
      'a]b',
      'a\\q',
      'a[01]',
      'a["x"',
      `${'a.'.repeat(40)}a`,
    ]) {
      const r = parsePath(bad);
      expect([bad, r.ok]).toEqual([bad, false]);
    }
  });

  it('refuses the prototype segments however they are spelled', () => {
    for (const bad of [
      '__proto__',
      'a.__proto__',
      'a["__proto__"]',
      'constructor.x',
      'a[0].prototype',
      'a["constructor"]',
    ]) {
      const r = parsePath(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/not allowed/);
    }
  });
});
