/**
 * A small Bicep parser for the offline infrastructure checks. No Bicep compiler can run here, so the
 * tests read the .bicep text themselves. It covers the subset infra/azure uses (params, vars,
 * resources, modules, outputs, decorators, objects, arrays, for/if, lambdas, interpolation, the
 * usual operators) and throws on anything else, so a construct it does not understand fails the
 * test instead of being skipped.
 */

export interface Pos {
  readonly file: string;
  readonly line: number;
}

export type Expr =
  | { readonly kind: 'string'; readonly parts: readonly (string | Expr)[]; readonly pos: Pos }
  | { readonly kind: 'number'; readonly value: number; readonly pos: Pos }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: Pos }
  | { readonly kind: 'null'; readonly pos: Pos }
  | { readonly kind: 'ident'; readonly name: string; readonly pos: Pos }
  | { readonly kind: 'object'; readonly props: readonly ObjectProp[]; readonly pos: Pos }
  | { readonly kind: 'array'; readonly items: readonly Expr[]; readonly pos: Pos }
  | {
      readonly kind: 'member';
      readonly object: Expr;
      readonly property: string;
      readonly safe: boolean;
      readonly pos: Pos;
    }
  | { readonly kind: 'index'; readonly object: Expr; readonly index: Expr; readonly pos: Pos }
  | { readonly kind: 'call'; readonly callee: Expr; readonly args: readonly Expr[]; readonly pos: Pos }
  | {
      readonly kind: 'ternary';
      readonly cond: Expr;
      readonly then: Expr;
      readonly otherwise: Expr;
      readonly pos: Pos;
    }
  | {
      readonly kind: 'binary';
      readonly op: string;
      readonly left: Expr;
      readonly right: Expr;
      readonly pos: Pos;
    }
  | { readonly kind: 'unary'; readonly op: '!' | '-'; readonly operand: Expr; readonly pos: Pos }
  | {
      readonly kind: 'for';
      readonly itemVar: string;
      readonly indexVar?: string;
      readonly iterable: Expr;
      readonly body: Expr;
      readonly pos: Pos;
    }
  | { readonly kind: 'if'; readonly cond: Expr; readonly body: Expr; readonly pos: Pos }
  | { readonly kind: 'lambda'; readonly params: readonly string[]; readonly body: Expr; readonly pos: Pos };

export interface ObjectProp {
  readonly key: string;
  /** Set for interpolated keys such as `'${identity.id}': {}`; `key` then holds its text. */
  readonly keyExpr?: Expr;
  readonly value: Expr;
}

export type Decl =
  | { readonly kind: 'targetScope'; readonly value: Expr; readonly pos: Pos }
  | { readonly kind: 'metadata'; readonly name: string; readonly value: Expr; readonly pos: Pos }
  | {
      readonly kind: 'param';
      readonly name: string;
      readonly type: string;
      readonly defaultValue?: Expr;
      readonly decorators: readonly Expr[];
      readonly pos: Pos;
    }
  | {
      readonly kind: 'var';
      readonly name: string;
      readonly value: Expr;
      readonly decorators: readonly Expr[];
      readonly pos: Pos;
    }
  | {
      readonly kind: 'resource';
      readonly name: string;
      readonly type: string;
      readonly apiVersion: string;
      readonly existing: boolean;
      readonly body: Expr;
      readonly decorators: readonly Expr[];
      readonly pos: Pos;
    }
  | {
      readonly kind: 'module';
      readonly name: string;
      readonly path: string;
      readonly body: Expr;
      readonly decorators: readonly Expr[];
      readonly pos: Pos;
    }
  | {
      readonly kind: 'output';
      readonly name: string;
      readonly type: string;
      readonly value: Expr;
      readonly decorators: readonly Expr[];
      readonly pos: Pos;
    };

export interface BicepFile {
  readonly path: string;
  readonly source: string;
  readonly decls: readonly Decl[];
}

type Token =
  | { readonly t: 'ident'; readonly v: string; readonly line: number }
  | { readonly t: 'string'; readonly parts: readonly (string | readonly Token[])[]; readonly line: number }
  | { readonly t: 'number'; readonly v: number; readonly line: number }
  | { readonly t: 'punct'; readonly v: string; readonly line: number }
  | { readonly t: 'nl'; readonly line: number }
  | { readonly t: 'eof'; readonly line: number };

export class BicepSyntaxError extends Error {
  override readonly name = 'BicepSyntaxError';
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

const PUNCTUATION = [
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '=~',
  '!~',
  '.?',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  ':',
  '.',
  '?',
  '!',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '@',
];

const ESCAPES: Readonly<Record<string, string>> = { "'": "'", '\\': '\\', n: '\n', r: '\r', t: '\t', $: '$' };

function tokenize(
  file: string,
  src: string,
  start = 0,
  stopAtBrace = false,
): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let i = start;
  let line = 1 + (src.slice(0, start).match(/\n/g)?.length ?? 0);
  let braceDepth = 0;
  // Annotated so TypeScript narrows after a call, as it does for `throw`.
  const fail: (message: string) => never = (message) => {
    throw new BicepSyntaxError(file, line, message);
  };
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === '\n') {
      tokens.push({ t: 'nl', line });
      line += 1;
      i += 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i += 1;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src.charAt(i) !== '\n') i += 1;
    } else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      line += src.slice(i, end).match(/\n/g)?.length ?? 0;
      i = end + 2;
    } else if (src.startsWith("'''", i)) {
      const end = src.indexOf("'''", i + 3);
      if (end < 0) fail('unterminated multi-line string');
      const text = src.slice(i + 3, end).replace(/^\r?\n/, '');
      tokens.push({ t: 'string', parts: [text], line });
      line += src.slice(i, end).match(/\n/g)?.length ?? 0;
      i = end + 3;
    } else if (c === "'") {
      const parts: (string | readonly Token[])[] = [];
      let text = '';
      const startLine = line;
      i += 1;
      for (;;) {
        if (i >= src.length) fail('unterminated string');
        const ch = src.charAt(i);
        if (ch === "'") {
          i += 1;
          break;
        }
        if (ch === '\n') fail('newline in string');
        if (ch === '\\') {
          const next = src.charAt(i + 1);
          const escaped = ESCAPES[next];
          if (escaped === undefined) fail(`unsupported escape \\${next}`);
          text += escaped;
          i += 2;
        } else if (src.startsWith('${', i)) {
          parts.push(text);
          text = '';
          const inner = tokenize(file, src, i + 2, true);
          parts.push(inner.tokens);
          i = inner.end + 1;
        } else {
          text += ch;
          i += 1;
        }
      }
      parts.push(text);
      tokens.push({ t: 'string', parts: parts.filter((p) => p !== ''), line: startLine });
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < src.length && /[0-9]/.test(src.charAt(j))) j += 1;
      tokens.push({ t: 'number', v: Number(src.slice(i, j)), line });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src.charAt(j))) j += 1;
      tokens.push({ t: 'ident', v: src.slice(i, j), line });
      i = j;
    } else {
      const punct = PUNCTUATION.find((p) => src.startsWith(p, i));
      if (punct === undefined) fail(`unexpected character ${JSON.stringify(c)}`);
      else {
        if (stopAtBrace && punct === '{') braceDepth += 1;
        if (stopAtBrace && punct === '}') {
          if (braceDepth === 0) {
            tokens.push({ t: 'eof', line });
            return { tokens, end: i };
          }
          braceDepth -= 1;
        }
        tokens.push({ t: 'punct', v: punct, line });
        i += punct.length;
      }
    }
  }
  if (stopAtBrace) fail('unterminated interpolation');
  tokens.push({ t: 'eof', line });
  return { tokens, end: i };
}

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['??'],
  ['||'],
  ['&&'],
  ['==', '!=', '=~', '!~'],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

class Parser {
  private i = 0;
  /** Newlines separate items inside `{}` and `[]` but not inside `()`. */
  private readonly newlineModes: boolean[] = [false];

  constructor(
    private readonly file: string,
    private readonly tokens: readonly Token[],
  ) {}

  private pos(): Pos {
    return { file: this.file, line: this.raw().line };
  }

  private raw(): Token {
    const token = this.tokens[this.i];
    if (token === undefined) throw new BicepSyntaxError(this.file, 0, 'read past end of input');
    return token;
  }

  private ignoringNewlines(): boolean {
    return this.newlineModes[this.newlineModes.length - 1] ?? false;
  }

  private peek(): Token {
    if (this.ignoringNewlines()) {
      while (this.raw().t === 'nl') this.i += 1;
    }
    return this.raw();
  }

  private next(): Token {
    const token = this.peek();
    this.i += 1;
    return token;
  }

  private fail(message: string): never {
    throw new BicepSyntaxError(this.file, this.raw().line, message);
  }

  private isPunct(v: string): boolean {
    const token = this.peek();
    return token.t === 'punct' && token.v === v;
  }

  private isIdent(v: string): boolean {
    const token = this.peek();
    return token.t === 'ident' && token.v === v;
  }

  private expectPunct(v: string): void {
    const token = this.next();
    if (token.t !== 'punct' || token.v !== v) this.fail(`expected '${v}' but found ${describe(token)}`);
  }

  private expectIdent(): string {
    const token = this.next();
    if (token.t !== 'ident') this.fail(`expected a name but found ${describe(token)}`);
    return token.v;
  }

  private expectPlainString(): string {
    const token = this.next();
    const text = token.t === 'string' ? plainText(token.parts) : undefined;
    if (text === undefined) return this.fail(`expected a plain string but found ${describe(token)}`);
    return text;
  }

  private skipNewlines(): void {
    while (this.raw().t === 'nl') this.i += 1;
  }

  private withNewlineMode<T>(ignore: boolean, fn: () => T): T {
    this.newlineModes.push(ignore);
    try {
      return fn();
    } finally {
      this.newlineModes.pop();
    }
  }

  parseFile(): Decl[] {
    const decls: Decl[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.raw().t === 'eof') return decls;
      const decorators: Expr[] = [];
      while (this.isPunct('@')) {
        this.next();
        decorators.push(this.parsePostfix());
        this.skipNewlines();
      }
      decls.push(this.parseDecl(decorators));
      const end = this.raw();
      if (end.t !== 'nl' && end.t !== 'eof') this.fail(`expected end of line but found ${describe(end)}`);
    }
  }

  private parseDecl(decorators: Expr[]): Decl {
    const pos = this.pos();
    const keyword = this.expectIdent();
    switch (keyword) {
      case 'targetScope':
        this.expectPunct('=');
        return { kind: 'targetScope', value: this.parseExpr(), pos };
      case 'metadata': {
        const name = this.expectIdent();
        this.expectPunct('=');
        return { kind: 'metadata', name, value: this.parseExpr(), pos };
      }
      case 'param': {
        const name = this.expectIdent();
        const type = this.parseTypeName();
        if (this.isPunct('=')) {
          this.next();
          return { kind: 'param', name, type, defaultValue: this.parseExpr(), decorators, pos };
        }
        return { kind: 'param', name, type, decorators, pos };
      }
      case 'var': {
        const name = this.expectIdent();
        this.expectPunct('=');
        return { kind: 'var', name, value: this.parseExpr(), decorators, pos };
      }
      case 'resource': {
        const name = this.expectIdent();
        const typeRef = this.expectPlainString();
        const at = typeRef.lastIndexOf('@');
        if (at <= 0) this.fail(`resource type '${typeRef}' has no @apiVersion`);
        const existing = this.isIdent('existing');
        if (existing) this.next();
        this.expectPunct('=');
        const body = this.parseDeclBody();
        return {
          kind: 'resource',
          name,
          type: typeRef.slice(0, at),
          apiVersion: typeRef.slice(at + 1),
          existing,
          body,
          decorators,
          pos,
        };
      }
      case 'module': {
        const name = this.expectIdent();
        const path = this.expectPlainString();
        this.expectPunct('=');
        return { kind: 'module', name, path, body: this.parseDeclBody(), decorators, pos };
      }
      case 'output': {
        const name = this.expectIdent();
        const type = this.parseTypeName();
        this.expectPunct('=');
        return { kind: 'output', name, type, value: this.parseExpr(), decorators, pos };
      }
      default:
        return this.fail(`unsupported declaration '${keyword}'`);
    }
  }

  private parseTypeName(): string {
    const name = this.expectIdent();
    if (!['string', 'int', 'bool', 'object', 'array'].includes(name)) this.fail(`unsupported type '${name}'`);
    if (this.isPunct('[')) {
      this.next();
      this.expectPunct(']');
      return `${name}[]`;
    }
    return name;
  }

  /** A resource or module body: an object, `if (c) {…}`, or `[for … : …]`. */
  private parseDeclBody(): Expr {
    if (this.isIdent('if')) return this.parseIf();
    return this.parseExpr();
  }

  private parseIf(): Expr {
    const pos = this.pos();
    this.next();
    this.expectPunct('(');
    const cond = this.withNewlineMode(true, () => this.parseExpr());
    this.expectPunct(')');
    if (!this.isPunct('{')) this.fail('expected an object after if (…)');
    return { kind: 'if', cond, body: this.parsePrimary(), pos };
  }

  parseExpr(): Expr {
    const cond = this.parseBinary(0);
    if (!this.isPunct('?')) return cond;
    const pos = this.pos();
    this.next();
    const then = this.parseExpr();
    this.expectPunct(':');
    const otherwise = this.parseExpr();
    return { kind: 'ternary', cond, then, otherwise, pos };
  }

  private parseBinary(level: number): Expr {
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.t !== 'punct' || !ops.includes(token.v)) return left;
      const pos = this.pos();
      this.next();
      const right = this.parseBinary(level + 1);
      left = { kind: 'binary', op: token.v, left, right, pos };
    }
  }

  private parseUnary(): Expr {
    const pos = this.pos();
    if (this.isPunct('!')) {
      this.next();
      return { kind: 'unary', op: '!', operand: this.parseUnary(), pos };
    }
    if (this.isPunct('-')) {
      this.next();
      return { kind: 'unary', op: '-', operand: this.parseUnary(), pos };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      const pos = this.pos();
      if (this.isPunct('.') || this.isPunct('.?')) {
        const safe = this.isPunct('.?');
        this.next();
        expr = { kind: 'member', object: expr, property: this.expectIdent(), safe, pos };
      } else if (this.isPunct('[')) {
        this.next();
        const index = this.withNewlineMode(true, () => this.parseExpr());
        this.expectPunct(']');
        expr = { kind: 'index', object: expr, index, pos };
      } else if (this.isPunct('(') && (expr.kind === 'ident' || expr.kind === 'member')) {
        this.next();
        const args = this.withNewlineMode(true, () => {
          const list: Expr[] = [];
          while (!this.isPunct(')')) {
            list.push(this.parseExpr());
            if (!this.isPunct(')')) this.expectPunct(',');
          }
          return list;
        });
        this.expectPunct(')');
        expr = { kind: 'call', callee: expr, args, pos };
      } else {
        return expr;
      }
    }
  }

  private lambdaAhead(): boolean {
    // `(a, b) =>` — scan the raw tokens without consuming them.
    let j = this.i;
    const at = (k: number): Token | undefined => this.tokens[k];
    if (at(j)?.t !== 'punct') return false;
    j += 1;
    for (;;) {
      const token = at(j);
      if (token?.t === 'punct' && token.v === ')') break;
      if (token?.t !== 'ident') return false;
      j += 1;
      const sep = at(j);
      if (sep?.t === 'punct' && sep.v === ',') j += 1;
    }
    const arrow = at(j + 1);
    return arrow?.t === 'punct' && arrow.v === '=>';
  }

  private parsePrimary(): Expr {
    const pos = this.pos();
    const token = this.peek();
    if (token.t === 'number') {
      this.next();
      return { kind: 'number', value: token.v, pos };
    }
    if (token.t === 'string') {
      this.next();
      const parts = token.parts.map((part) => {
        if (typeof part === 'string') return part;
        const inner = new Parser(this.file, part);
        const expr = inner.withNewlineMode(true, () => inner.parseExpr());
        if (inner.peek().t !== 'eof') inner.fail('unexpected tokens in interpolation');
        return expr;
      });
      return { kind: 'string', parts, pos };
    }
    if (token.t === 'ident') {
      this.next();
      if (token.v === 'true' || token.v === 'false') return { kind: 'bool', value: token.v === 'true', pos };
      if (token.v === 'null') return { kind: 'null', pos };
      if (this.isPunct('=>')) {
        this.next();
        return { kind: 'lambda', params: [token.v], body: this.parseExpr(), pos };
      }
      return { kind: 'ident', name: token.v, pos };
    }
    if (token.t === 'punct' && token.v === '(') {
      if (this.lambdaAhead()) {
        this.next();
        const params: string[] = [];
        while (!this.isPunct(')')) {
          params.push(this.expectIdent());
          if (this.isPunct(',')) this.next();
        }
        this.next();
        this.expectPunct('=>');
        return { kind: 'lambda', params, body: this.parseExpr(), pos };
      }
      this.next();
      const inner = this.withNewlineMode(true, () => this.parseExpr());
      this.expectPunct(')');
      return inner;
    }
    if (token.t === 'punct' && token.v === '{') return this.parseObject();
    if (token.t === 'punct' && token.v === '[') return this.parseArray();
    return this.fail(`unexpected ${describe(token)}`);
  }

  private parseObject(): Expr {
    const pos = this.pos();
    this.expectPunct('{');
    return this.withNewlineMode(false, () => {
      const props: ObjectProp[] = [];
      const seen = new Set<string>();
      this.skipNewlines();
      while (!this.isPunct('}')) {
        const keyToken = this.next();
        let key: string;
        if (keyToken.t === 'ident') key = keyToken.v;
        else if (keyToken.t === 'string' && plainText(keyToken.parts) !== undefined)
          key = plainText(keyToken.parts) ?? '';
        else if (keyToken.t === 'string') {
          this.i -= 1;
          const keyExpr = this.parsePrimary();
          this.expectPunct(':');
          props.push({ key: exprText(keyExpr), keyExpr, value: this.parseExpr() });
          this.endItem('}');
          continue;
        } else return this.fail(`expected a property name but found ${describe(keyToken)}`);
        if (key === 'resource' && this.peek().t === 'ident')
          this.fail('nested resource declarations are not supported');
        if (seen.has(key)) this.fail(`duplicate property '${key}'`);
        seen.add(key);
        this.expectPunct(':');
        props.push({ key, value: this.parseExpr() });
        this.endItem('}');
      }
      this.next();
      return { kind: 'object', props, pos } as const;
    });
  }

  private endItem(close: string): void {
    const token = this.raw();
    if (token.t === 'punct' && token.v === ',') this.i += 1;
    else if (token.t !== 'nl' && !(token.t === 'punct' && token.v === close)) {
      this.fail(`expected a newline, ',' or '${close}' but found ${describe(token)}`);
    }
    this.skipNewlines();
  }

  private parseArray(): Expr {
    const pos = this.pos();
    this.expectPunct('[');
    return this.withNewlineMode(false, () => {
      this.skipNewlines();
      if (this.isIdent('for')) {
        this.next();
        let itemVar: string;
        let indexVar: string | undefined;
        if (this.isPunct('(')) {
          this.next();
          itemVar = this.expectIdent();
          this.expectPunct(',');
          indexVar = this.expectIdent();
          this.expectPunct(')');
        } else {
          itemVar = this.expectIdent();
        }
        if (!this.isIdent('in')) this.fail("expected 'in'");
        this.next();
        const iterable = this.parseExpr();
        this.expectPunct(':');
        const body = this.isIdent('if') ? this.parseIf() : this.parseExpr();
        this.skipNewlines();
        this.expectPunct(']');
        const loop: Expr =
          indexVar === undefined
            ? { kind: 'for', itemVar, iterable, body, pos }
            : { kind: 'for', itemVar, indexVar, iterable, body, pos };
        return loop;
      }
      const items: Expr[] = [];
      while (!this.isPunct(']')) {
        items.push(this.parseExpr());
        this.endItem(']');
      }
      this.next();
      return { kind: 'array', items, pos } as const;
    });
  }
}

/** The text of a string token without interpolation, or undefined when it has any. */
function plainText(parts: readonly (string | readonly Token[])[]): string | undefined {
  let text = '';
  for (const part of parts) {
    if (typeof part !== 'string') return undefined;
    text += part;
  }
  return text;
}

function describe(token: Token): string {
  switch (token.t) {
    case 'ident':
      return `'${token.v}'`;
    case 'punct':
      return `'${token.v}'`;
    case 'number':
      return `number ${token.v}`;
    case 'string':
      return 'a string';
    case 'nl':
      return 'end of line';
    case 'eof':
      return 'end of input';
  }
}

export function parseBicep(path: string, source: string): BicepFile {
  const { tokens } = tokenize(path, source);
  return { path, source, decls: new Parser(path, tokens).parseFile() };
}

/** Renders an expression back to Bicep-like text, for messages and for values the tests cannot know. */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'string':
      return `'${expr.parts.map((p) => (typeof p === 'string' ? p : `\${${exprText(p)}}`)).join('')}'`;
    case 'number':
      return String(expr.value);
    case 'bool':
      return String(expr.value);
    case 'null':
      return 'null';
    case 'ident':
      return expr.name;
    case 'object':
      return `{ ${expr.props.map((p) => `${p.key}: ${exprText(p.value)}`).join(', ')} }`;
    case 'array':
      return `[${expr.items.map(exprText).join(', ')}]`;
    case 'member':
      return `${exprText(expr.object)}${expr.safe ? '.?' : '.'}${expr.property}`;
    case 'index':
      return `${exprText(expr.object)}[${exprText(expr.index)}]`;
    case 'call':
      return `${exprText(expr.callee)}(${expr.args.map(exprText).join(', ')})`;
    case 'ternary':
      return `${exprText(expr.cond)} ? ${exprText(expr.then)} : ${exprText(expr.otherwise)}`;
    case 'binary':
      return `${exprText(expr.left)} ${expr.op} ${exprText(expr.right)}`;
    case 'unary':
      return `${expr.op}${exprText(expr.operand)}`;
    case 'for':
      return `[for ${expr.indexVar === undefined ? expr.itemVar : `(${expr.itemVar}, ${expr.indexVar})`} in ${exprText(expr.iterable)}: ${exprText(expr.body)}]`;
    case 'if':
      return `if (${exprText(expr.cond)}) ${exprText(expr.body)}`;
    case 'lambda':
      return `(${expr.params.join(', ')}) => ${exprText(expr.body)}`;
  }
}
