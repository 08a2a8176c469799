import { BUILTIN_TRANSFORMS, MappingError, validateMapping } from '../../../shared/mapping';
import { issueOf, ruleOver, run } from './helpers';

const HUGE = 'x'.repeat(2_000_000);

describe('the built-in transform set', () => {
  it('has more than 30 transforms, each documented', () => {
    expect(BUILTIN_TRANSFORMS.length).toBeGreaterThanOrEqual(30);
    for (const t of BUILTIN_TRANSFORMS) expect(t.description.length).toBeGreaterThan(10);
  });

  it('passes null through every transform that is not about missing values', () => {
    const exempt = new Set(['default', 'coalesce', 'concat', 'template', 'lookup']);
    const argsFor: Record<string, Record<string, unknown>> = {
      enum: { mapping: { a: 'A' } },
      split: { separator: ',' },
      join: { separator: ',' },
      regexReplace: { pattern: 'a', replacement: 'b' },
      convertUnit: { from: 'kg', to: 'g' },
      splitName: { part: 'first' },
      formatDate: { format: 'date' },
      map: { pipeline: 'trim' },
      filter: { where: { exists: true } },
      pick: { keys: ['a'] },
      omit: { keys: ['a'] },
      get: { path: 'a' },
    };
    for (const t of BUILTIN_TRANSFORMS) {
      if (exempt.has(t.name)) continue;
      expect([t.name, run({ type: t.name, ...(argsFor[t.name] ?? {}) }, null)]).toEqual([t.name, null]);
    }
  });
});

describe('huge strings', () => {
  it('are refused or handled by every transform, never crash it', () => {
    const argsFor: Record<string, Record<string, unknown>> = {
      enum: { mapping: { a: 'A' } },
      split: { separator: ',' },
      join: { separator: ',' },
      regexReplace: { pattern: 'x+', replacement: 'y' },
      convertUnit: { from: 'kg', to: 'g' },
      splitName: { part: 'last' },
      formatDate: { format: 'date' },
      map: { pipeline: 'trim' },
      filter: { where: { exists: true } },
      pick: { keys: ['a'] },
      omit: { keys: ['a'] },
      get: { path: 'a' },
      template: { template: '{}' },
      default: { value: 1 },
    };
    const refused: string[] = [];
    for (const t of BUILTIN_TRANSFORMS) {
      if (t.name === 'lookup') continue;
      try {
        run({ type: t.name, ...(argsFor[t.name] ?? {}) }, HUGE);
      } catch (e) {
        expect(e).toBeInstanceOf(MappingError);
        refused.push(t.name);
      }
    }
    // The text transforms refuse input over 1,000,000 characters instead of chewing on it.
    expect(refused).toEqual(
      expect.arrayContaining(['trim', 'slug', 'htmlToText', 'regexReplace', 'email', 'phone', 'country']),
    );
  });
});

describe('string, number, integer, boolean', () => {
  it('casts scalars to strings and refuses objects', () => {
    expect(run('string', 42)).toBe('42');
    expect(run('string', true)).toBe('true');
    expect(run('string', 'ok')).toBe('ok');
    expect(issueOf('string', { a: 1 })).toMatchObject({ transform: 'string', valueType: 'object' });
    expect(issueOf({ type: 'string', maxLength: 3 }, 'abcd').reason).toMatch(/longer than 3/);
  });

  it('parses numbers with locale separators and refuses junk', () => {
    expect(run('number', '42.5')).toBe(42.5);
    expect(run('number', ' -1e3 ')).toBe(-1000);
    expect(run({ type: 'number', decimalSeparator: ',', thousandsSeparator: '.' }, '1.234,5')).toBe(1234.5);
    expect(issueOf('number', '0x10').reason).toBe('not a number');
    expect(issueOf('number', '').reason).toBe('not a number');
    expect(issueOf('number', [1]).valueType).toBe('array');
    expect(issueOf('number', HUGE).reason).toMatch(/too long/);
  });

  it('keeps integers strict unless a rounding mode is chosen', () => {
    expect(run('integer', '10023')).toBe(10023);
    expect(issueOf('integer', 1.5).reason).toBe('not an integer');
    expect(run({ type: 'integer', mode: 'floor' }, -1.5)).toBe(-2);
    expect(run({ type: 'integer', mode: 'trunc' }, -1.5)).toBe(-1);
    expect(issueOf('integer', 2 ** 60).reason).toMatch(/safe range/);
  });

  it('reads yes/no words, 1/0 and custom vocabularies', () => {
    for (const yes of ['yes', 'Y', 'TRUE', '1', 'on', ' t ']) expect(run('boolean', yes)).toBe(true);
    for (const no of ['no', 'N', 'false', '0', 'off', '']) expect(run('boolean', no)).toBe(false);
    expect(run('boolean', 1)).toBe(true);
    expect(issueOf('boolean', 'maybe').reason).toMatch(/boolean word/);
    expect(issueOf('boolean', 2).valueType).toBe('number');
    expect(run({ type: 'boolean', trueValues: ['ja'], falseValues: ['nein'] }, 'Ja')).toBe(true);
  });
});

describe('dates', () => {
  it('date keeps calendar dates and converts instants to UTC dates', () => {
    expect(run('date', '2025-12-25')).toBe('2025-12-25');
    expect(run('date', '2025-12-25T23:30:00-05:00')).toBe('2025-12-26');
    expect(run({ type: 'date', timeZone: 'America/New_York' }, '2025-12-25T23:30:00-05:00')).toBe(
      '2025-12-25',
    );
    expect(run({ type: 'date', format: 'DD/MM/YYYY' }, '25/12/2025')).toBe('2025-12-25');
    expect(run({ type: 'date', format: 'epochSeconds' }, 1766620800)).toBe('2025-12-25');
  });

  it('date refuses impossible and malformed dates', () => {
    expect(issueOf('date', '2025-02-30')).toMatchObject({ transform: 'date', valueType: 'string' });
    expect(issueOf('date', '2025-13-01').reason).toMatch(/ISO 8601/);
    expect(issueOf('date', '25/12/2025').reason).toMatch(/ISO 8601/);
    expect(issueOf('date', 20251225).valueType).toBe('number');
    expect(issueOf({ type: 'date', format: 'MM/DD/YYYY' }, '25/12/2025').reason).toMatch(/pattern/);
    expect(issueOf('date', HUGE).reason).toMatch(/ISO 8601/);
  });

  it('datetime normalises offsets, epochs and zoned wall times to UTC ISO', () => {
    expect(run('datetime', '2025-03-04T10:15:30+02:00')).toBe('2025-03-04T08:15:30.000Z');
    expect(run('datetime', '2025-03-04 10:15:30.123456Z')).toBe('2025-03-04T10:15:30.123Z');
    expect(run('datetime', '2025-03-04')).toBe('2025-03-04T00:00:00.000Z');
    expect(run({ type: 'datetime', format: 'epochMillis' }, 1741083330000)).toBe('2025-03-04T10:15:30.000Z');
    expect(run({ type: 'datetime', format: 'epochSeconds' }, '1741083330')).toBe('2025-03-04T10:15:30.000Z');
    // Berlin is UTC+1 in winter and UTC+2 in summer.
    expect(run({ type: 'datetime', timeZone: 'Europe/Berlin' }, '2025-01-15T12:00:00')).toBe(
      '2025-01-15T11:00:00.000Z',
    );
    expect(run({ type: 'datetime', timeZone: 'Europe/Berlin' }, '2025-07-15T12:00:00')).toBe(
      '2025-07-15T10:00:00.000Z',
    );
    expect(
      run({ type: 'datetime', format: 'DD.MM.YYYY HH:mm', timeZone: 'Asia/Kolkata' }, '04.03.2025 15:45'),
    ).toBe('2025-03-04T10:15:00.000Z');
  });

  it('datetime refuses bad times, offsets and out-of-range epochs', () => {
    expect(issueOf('datetime', '2025-03-04T24:00:00Z').reason).toMatch(/ISO 8601/);
    expect(issueOf('datetime', '2025-03-04T10:15:30+25:00').reason).toMatch(/ISO 8601/);
    expect(issueOf({ type: 'datetime', format: 'epochMillis' }, 1e20).reason).toMatch(/out of range/);
    expect(issueOf({ type: 'datetime', format: 'epochMillis' }, 'soon').valueType).toBe('string');
  });

  it('formatDate writes canonical dates in the external format', () => {
    expect(run({ type: 'formatDate', format: 'epochMillis' }, '2025-03-04T10:15:30.000Z')).toBe(
      1741083330000,
    );
    expect(run({ type: 'formatDate', format: 'DD/MM/YYYY' }, '2025-12-25')).toBe('25/12/2025');
    expect(
      run({ type: 'formatDate', format: 'iso', timeZone: 'Europe/Berlin' }, '2025-07-15T10:00:00.000Z'),
    ).toBe('2025-07-15T12:00:00.000+02:00');
    expect(
      run({ type: 'formatDate', format: 'date', timeZone: 'Pacific/Auckland' }, '2025-07-15T20:00:00.000Z'),
    ).toBe('2025-07-16');
    expect(issueOf({ type: 'formatDate', format: 'date' }, 'yesterday').reason).toMatch(/ISO 8601/);
  });

  it('rejects unknown time zones and broken patterns when the mapping is saved', () => {
    const bad = validateMapping(
      {
        resourceType: 'T',
        inbound: [
          { from: 'a', to: 'a', transform: { type: 'datetime', timeZone: 'Mars/Olympus' } },
          { from: 'b', to: 'b', transform: { type: 'date', format: 'YY-MM' } },
        ],
      },
      { direction: 'inbound' },
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems.map((p) => p.path)).toEqual([
        'inbound[0].transform.timeZone',
        'inbound[1].transform.format',
      ]);
    }
  });
});

describe('enum', () => {
  const status = { type: 'enum', mapping: { open: 'OPEN', done: 'DONE' } };

  it('maps known values and fails on unknown ones', () => {
    expect(run(status, 'open')).toBe('OPEN');
    expect(issueOf(status, 'archived')).toMatchObject({
      transform: 'enum',
      reason: 'unknown enum value',
      valueType: 'string',
    });
    expect(issueOf(status, { a: 1 }).valueType).toBe('object');
  });

  it('uses the default for unknown values, matches booleans and numbers by text, and can ignore case', () => {
    expect(run({ ...status, default: 'OTHER' }, 'archived')).toBe('OTHER');
    expect(run({ type: 'enum', mapping: { true: 'COMPLETED', false: 'IN_PROGRESS' } }, false)).toBe(
      'IN_PROGRESS',
    );
    expect(run({ type: 'enum', mapping: { 1: 'LOW' } }, 1)).toBe('LOW');
    expect(run({ ...status, caseInsensitive: true }, 'DONE')).toBe('DONE');
  });

  it('never treats inherited object members as mapped values', () => {
    expect(issueOf(status, 'toString').reason).toBe('unknown enum value');
    expect(issueOf(status, 'hasOwnProperty').reason).toBe('unknown enum value');
  });
});

describe('text', () => {
  it('trims and changes case', () => {
    expect(run('trim', '  a b  ')).toBe('a b');
    expect(run('lowercase', 'ÀB')).toBe('àb');
    expect(run('uppercase', 'straße')).toBe('STRASSE');
    expect(run('titleCase', "ADA o'NEIL-smith von")).toBe("Ada O'Neil-Smith Von");
    expect(issueOf('trim', 5).valueType).toBe('number');
    expect(issueOf('lowercase', HUGE).reason).toMatch(/longer than/);
  });

  it('slugs text to ASCII within a length limit', () => {
    expect(run('slug', ' Crème Brûlée — 2 Ways! ')).toBe('creme-brulee-2-ways');
    expect(run({ type: 'slug', separator: '_', maxLength: 12 }, 'Hello wonderful world')).toBe('hello');
    expect(run('slug', '!!!')).toBe('');
  });

  it('replaces with regular expressions and refuses dangerous ones at save time', () => {
    expect(
      run({ type: 'regexReplace', pattern: '(\\d{3})(\\d{4})', replacement: '$1-$2' }, 'tel 5551234'),
    ).toBe('tel 555-1234');
    expect(
      issueOf({ type: 'regexReplace', pattern: 'a', replacement: 'b' }, 'a'.repeat(200_000)).reason,
    ).toMatch(/longer than 100000/);
    const saved = validateMapping(
      {
        resourceType: 'T',
        inbound: [
          { from: 'a', to: 'a', transform: { type: 'regexReplace', pattern: '(a+)+$', replacement: '' } },
        ],
      },
      { direction: 'inbound' },
    );
    expect(saved.ok).toBe(false);
    if (!saved.ok) expect(saved.problems[0]?.message).toMatch(/nested quantifiers/);
  });

  it('turns HTML into text, dropping scripts and decoding entities, and keeps broken markup as text', () => {
    expect(
      run(
        'htmlToText',
        '<p>Fish &amp; chips&nbsp;&#8364;5</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul>',
      ),
    ).toBe('Fish & chips €5\none\ntwo');
    // Unclosed tags and bare ampersands are kept as text, not chewed on.
    expect(run('htmlToText', '&'.repeat(100_000) + '<'.repeat(100_000))).toHaveLength(200_000);
  });

  it('concatenates and fills templates, skipping missing parts', () => {
    const concat = ruleOver({
      from: ['first', 'last'],
      to: 'full',
      transform: { type: 'concat', separator: ' ' },
    });
    expect(concat({ first: 'Ada', last: 'Lovelace' })).toBe('Ada Lovelace');
    expect(concat({ first: 'Ada' })).toBe('Ada');
    const template = ruleOver({
      from: ['city', 'zip'],
      to: 'label',
      transform: { type: 'template', template: '{1} {0} {{HQ}}' },
    });
    expect(template({ city: 'Paris', zip: 75001 })).toBe('75001 Paris {HQ}');
    expect(issueOf({ type: 'concat' }, [{ a: 1 }]).reason).toMatch(/cannot put a object/);
  });

  it('splits and joins', () => {
    expect(run({ type: 'split', separator: ',' }, 'a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(run({ type: 'split', separator: ',', trim: true, removeEmpty: true }, ' a , b ,, c ')).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(run({ type: 'join', separator: '|' }, ['a', 1, null, true])).toBe('a|1|true');
    expect(issueOf({ type: 'join', separator: ',' }, 'a,b').valueType).toBe('string');
    expect(issueOf({ type: 'split', separator: ',', limit: 2 }, 'a,b,c').reason).toMatch(/more than 2/);
  });
});

describe('numbers, money and units', () => {
  it('rounds through decimals, not binary fractions', () => {
    expect(run({ type: 'round', decimals: 2 }, 1.005)).toBe(1.01);
    expect(run({ type: 'round', decimals: 0, mode: 'halfEven' }, 2.5)).toBe(2);
    expect(run({ type: 'round', decimals: 1, mode: 'floor' }, -1.25)).toBe(-1.3);
    expect(run({ type: 'round', decimals: 2 }, 1e-7)).toBe(0);
    expect(issueOf('round', 'abc').valueType).toBe('string');
  });

  it('moves money to and from minor units by currency', () => {
    expect(run('toMinorUnits', '19.99')).toBe(1999);
    expect(run('toMinorUnits', 19.99)).toBe(1999);
    expect(run({ type: 'toMinorUnits', currency: 'JPY' }, 1500)).toBe(1500);
    expect(run({ type: 'toMinorUnits', currency: 'BHD' }, '1.234')).toBe(1234);
    expect(run('toMinorUnits', '0.125')).toBe(13);
    expect(run({ type: 'toMinorUnits', rounding: 'halfEven' }, '0.125')).toBe(12);
    expect(issueOf({ type: 'toMinorUnits', rounding: 'reject' }, '0.125').reason).toMatch(
      /more than 2 decimal/,
    );
    expect(run('fromMinorUnits', 1999)).toBe(19.99);
    expect(run({ type: 'fromMinorUnits', currency: 'JPY' }, 1500)).toBe(1500);
    expect(issueOf('fromMinorUnits', 19.5).reason).toMatch(/integer of minor units/);
    expect(issueOf('toMinorUnits', '12,50').valueType).toBe('string');
  });

  it('converts units within a dimension and refuses mixing them', () => {
    expect(run({ type: 'convertUnit', from: 'kg', to: 'g' }, 1.25)).toBe(1250);
    expect(run({ type: 'convertUnit', from: 'mi', to: 'km', decimals: 3 }, 26.2)).toBe(42.165);
    expect(run({ type: 'convertUnit', from: 'C', to: 'F' }, 100)).toBe(212);
    expect(run({ type: 'convertUnit', from: 'F', to: 'C' }, 212)).toBe(100);
    expect(issueOf({ type: 'convertUnit', from: 'kg', to: 'g' }, 'heavy').valueType).toBe('string');
    const saved = validateMapping(
      {
        resourceType: 'T',
        inbound: [{ from: 'a', to: 'a', transform: { type: 'convertUnit', from: 'kg', to: 'km' } }],
      },
      { direction: 'inbound' },
    );
    expect(saved.ok).toBe(false);
  });
});

describe('values and structure', () => {
  it('coalesces several sources and fills defaults mid-pipeline', () => {
    const pick = ruleOver({
      from: ['nick', 'name'],
      to: 'display',
      transform: { type: 'coalesce', skipEmpty: true },
    });
    expect(pick({ nick: '', name: 'Ada' })).toBe('Ada');
    expect(pick({})).toBeUndefined();
    expect(run([{ type: 'default', value: 'n/a' }, 'uppercase'], null)).toBe('N/A');
  });

  it('parses and writes JSON', () => {
    expect(run('json', '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(issueOf('json', '{a:1}').reason).toBe('not valid JSON');
    expect(run('jsonStringify', { a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it('maps, filters, picks, omits and reads inside arrays and objects', () => {
    const items = [
      { sku: 'a', qty: 1, secret: 'x' },
      { sku: 'b', qty: 0, secret: 'y' },
    ];
    expect(run({ type: 'map', pipeline: [{ type: 'get', path: 'sku' }, 'uppercase'] }, items)).toEqual([
      'A',
      'B',
    ]);
    expect(run({ type: 'filter', where: { path: 'qty', notEquals: 0 } }, items)).toEqual([items[0]]);
    expect(run({ type: 'pick', keys: ['sku'] }, items)).toEqual([{ sku: 'a' }, { sku: 'b' }]);
    expect(run({ type: 'omit', keys: ['secret'] }, items[0])).toEqual({ sku: 'a', qty: 1 });
    expect(run({ type: 'get', path: 'custom_fields[1].value' }, { custom_fields: [{}, { value: 7 }] })).toBe(
      7,
    );
    expect(issueOf({ type: 'map', pipeline: 'number' }, ['1', 'x']).reason).toMatch(/item 1: not a number/);
    expect(issueOf({ type: 'pick', keys: ['a'] }, 'str').valueType).toBe('string');
  });
});

describe('people and places', () => {
  it('normalises e-mail addresses', () => {
    expect(run('email', ' MAILTO:Ada@Example.COM ')).toBe('ada@example.com');
    expect(issueOf('email', 'ada@example').reason).toBe('not an e-mail address');
    expect(issueOf('email', `${'a'.repeat(250)}@example.com`).reason).toBe('not an e-mail address');
  });

  it('normalises phone numbers to E.164', () => {
    expect(run({ type: 'phone', defaultCountry: 'US' }, '(415) 555-2671')).toBe('+14155552671');
    expect(run('phone', '+44 20 7946 0958')).toBe('+442079460958');
    expect(issueOf({ type: 'phone', defaultCountry: 'GB' }, '123').reason).toBe('not a valid phone number');
    expect(issueOf('phone', '020 7946 0958').reason).toBe('not a valid phone number');
  });

  it('turns country names, aliases and codes into ISO alpha-2', () => {
    expect(run('country', 'Germany')).toBe('DE');
    expect(run('country', 'deutschland')).toBe('DE');
    expect(run('country', 'Côte d’Ivoire')).toBe('CI');
    expect(run('country', 'united states of america')).toBe('US');
    expect(run('country', 'uk')).toBe('GB');
    expect(run('country', 'fr')).toBe('FR');
    expect(run('country', 'Bosnia and Herzegovina')).toBe('BA');
    expect(issueOf('country', 'Atlantis').reason).toBe('unknown country');
    expect(issueOf('country', 'EU').reason).toBe('unknown country');
  });

  it('splits names, including the "Last, First" form', () => {
    expect(run({ type: 'splitName', part: 'first' }, 'Ada King Lovelace')).toBe('Ada');
    expect(run({ type: 'splitName', part: 'last' }, 'Ada King Lovelace')).toBe('King Lovelace');
    expect(run({ type: 'splitName', part: 'middle' }, 'Ada King Lovelace')).toBe('King');
    expect(run({ type: 'splitName', part: 'first' }, 'Lovelace, Ada')).toBe('Ada');
    expect(run({ type: 'splitName', part: 'last' }, 'Cher')).toBe('');
    expect(run({ type: 'custom', function: 'splitName', target: 'last' }, 'Ada Lovelace')).toBe('Lovelace');
  });
});
