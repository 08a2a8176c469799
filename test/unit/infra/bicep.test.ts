import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Opaque, Project, readParametersFile } from './bicep/evaluate';
import { lintFile } from './bicep/lint';
import { parseBicep } from './bicep/parse';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bicep-'));
  mkdirSync(join(root, 'modules'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function write(files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
}

describe('the offline Bicep parser', () => {
  it('reports a syntax error with its file and line', () => {
    expect(() => parseBicep('main.bicep', "param a string\n\nvar b = 'unterminated\n")).toThrow(
      'main.bicep:3: newline in string',
    );
  });

  it('refuses syntax it does not understand rather than skipping it', () => {
    expect(() => parseBicep('main.bicep', 'type name = string\n')).toThrow("unsupported declaration 'type'");
    expect(() =>
      parseBicep('main.bicep', "resource a 'A/b@2024-01-01' = {\n  name: 'a'\n  resource c 'd' = {}\n}\n"),
    ).toThrow('nested resource declarations are not supported');
  });

  it('flags an identifier used but never declared, and a function it does not know', () => {
    const file = parseBicep(
      'main.bicep',
      'param used string\nvar x = concat(used, missing)\noutput o string = frobnicate(x)\n',
    );
    expect(lintFile(file).map((p) => `${p.line}: ${p.message}`)).toEqual([
      "2: 'missing' is not declared",
      "3: unknown function 'frobnicate'",
    ]);
  });
});

describe('the offline Bicep evaluator', () => {
  it('expands loops and conditions with the params a module is called with', () => {
    write({
      'main.bicep': [
        "param names array = ['a', 'b', 'c']",
        "module m 'modules/m.bicep' = {",
        '  params: {',
        '    items: names',
        "    skip: 'b'",
        '  }',
        '}',
        '',
      ].join('\n'),
      'modules/m.bicep': [
        'param items array',
        'param skip string',
        "resource things 'Test/things@2024-01-01' = [for (item, i) in items: if (item != skip) {",
        "  name: '${item}-${i}'",
        '}]',
        '',
      ].join('\n'),
    });
    const names = new Project(root, {}).deployedResources().map((r) => r.name);
    expect(names).toEqual(['a-0', 'c-2']);
  });

  it('keeps which resource a deployment-time value comes from', () => {
    write({
      'main.bicep': [
        "resource parent 'Test/parents@2024-01-01' = {",
        '  name: uniqueString(subscription().id)',
        '}',
        "resource child 'Test/parents/children@2024-01-01' = {",
        '  parent: parent',
        "  name: 'child'",
        '  properties: {',
        '    endpoint: parent.properties.endpoint',
        '  }',
        '}',
        '',
      ].join('\n'),
    });
    const project = new Project(root, {});
    const child = project.deployedResources()[1];
    const endpoint = child?.properties['endpoint'];
    expect(endpoint).toBeInstanceOf(Opaque);
    expect((endpoint as Opaque).origin?.resource.symbol).toBe('parent');
    expect((endpoint as Opaque).origin?.path).toEqual(['properties', 'endpoint']);
    expect(child?.fullName).toBe('uniqueString(subscription().id)/child');
  });

  it('resolves an existing reference to the resource the deployment creates, and fails for one it does not', () => {
    write({
      'main.bicep': [
        "resource made 'Test/things@2024-01-01' = {",
        "  name: 'made'",
        '}',
        "resource found 'Test/things@2024-01-01' existing = {",
        "  name: 'made'",
        '}',
        "resource missing 'Test/things@2024-01-01' existing = {",
        "  name: 'elsewhere'",
        '}',
        '',
      ].join('\n'),
    });
    const project = new Project(root, {});
    const [made, found, missing] = project.main.allResources();
    expect(found && project.resolve(found)).toBe(made);
    expect(() => missing && project.resolve(missing)).toThrow(
      "refers to Test/things 'elsewhere', which this deployment does not create",
    );
  });

  it('reads azd parameters: defaults from ${VAR=default}, unknown for a bare ${VAR}', () => {
    write({
      'main.parameters.json': JSON.stringify({
        parameters: { a: { value: '${A=fallback}' }, b: { value: '${B}' }, c: { value: 3 } },
      }),
    });
    const params = readParametersFile(join(root, 'main.parameters.json'));
    expect(params['a']).toBe('fallback');
    expect(params['b']).toBeInstanceOf(Opaque);
    expect(params['c']).toBe(3);
  });
});
