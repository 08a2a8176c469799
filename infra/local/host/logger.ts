import type { RpcLogCategory, RpcLogLevel } from './coreTypes';

export type LogFormat = 'pretty' | 'json';

export type TriggerKind = 'http' | 'timer' | 'serviceBus' | 'other';

/** One finished invocation, as the host reports it. Never carries a body. */
export interface InvocationLogEntry {
  readonly functionName: string;
  readonly trigger: TriggerKind;
  readonly invocationId: string;
  readonly correlationId: string;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error';
  /** Short trigger-specific summary: `POST /api/x 202`, `deliveryCount=2 abandoned`… */
  readonly detail?: string;
  /** The error's name and message only; stacks and payloads stay out of the log. */
  readonly error?: string;
}

export interface FunctionLogEntry {
  readonly level: RpcLogLevel;
  readonly category: RpcLogCategory;
  readonly functionName: string;
  readonly invocationId: string;
  readonly correlationId: string;
  readonly message: string;
}

export interface HostLogger {
  invocation(entry: InvocationLogEntry): void;
  functionLog(entry: FunctionLogEntry): void;
  host(
    level: RpcLogLevel,
    message: string,
    fields?: Readonly<Record<string, string | number | boolean>>,
  ): void;
}

const levelRank: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};

/** host.json spells levels the .NET way (`Information`, `Warning`…). */
export function parseLogLevel(value: unknown, fallback: RpcLogLevel): RpcLogLevel {
  if (typeof value !== 'string') return fallback;
  const lower = value.toLowerCase();
  const known = Object.keys(levelRank).find((level) => level === lower);
  return (known as RpcLogLevel | undefined) ?? fallback;
}

export interface LoggerOptions {
  readonly format: LogFormat;
  /** User and system messages below this level are dropped; invocation lines always print. */
  readonly minLevel: RpcLogLevel;
  readonly write?: (line: string) => void;
  readonly color?: boolean;
}

const shortLevel: Record<RpcLogLevel, string> = {
  trace: 'trce',
  debug: 'dbug',
  information: 'info',
  warning: 'warn',
  error: 'fail',
  critical: 'crit',
  none: '    ',
};

export function createLogger(options: LoggerOptions): HostLogger {
  const write =
    options.write ??
    ((line: string): void => {
      process.stdout.write(line);
    });
  const minRank = levelRank[options.minLevel];
  const paint = (code: string, text: string): string =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const time = (): string => new Date().toISOString().slice(11, 23);
  const enabled = (level: RpcLogLevel): boolean => level !== 'none' && levelRank[level] >= minRank;

  if (options.format === 'json') {
    const emit = (record: Record<string, unknown>): void => {
      write(`${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
    };
    return {
      invocation(entry) {
        emit({
          level: entry.outcome === 'ok' ? 'information' : 'error',
          msg: 'invocation',
          function: entry.functionName,
          trigger: entry.trigger,
          durationMs: Math.round(entry.durationMs * 100) / 100,
          outcome: entry.outcome,
          correlationId: entry.correlationId,
          invocationId: entry.invocationId,
          ...(entry.detail === undefined ? {} : { detail: entry.detail }),
          ...(entry.error === undefined ? {} : { error: entry.error }),
        });
      },
      functionLog(entry) {
        if (!enabled(entry.level)) return;
        emit({
          level: entry.level,
          category: entry.category,
          function: entry.functionName,
          invocationId: entry.invocationId,
          correlationId: entry.correlationId,
          msg: entry.message,
        });
      },
      host(level, message, fields) {
        if (!enabled(level)) return;
        emit({ level, category: 'host', msg: message, ...fields });
      },
    };
  }

  return {
    invocation(entry) {
      const outcome = entry.outcome === 'ok' ? paint('32', 'OK  ') : paint('31', 'FAIL');
      const parts = [
        paint('2', time()),
        outcome,
        paint('1', entry.functionName),
        `[${entry.trigger}]`,
        `${entry.durationMs.toFixed(1)} ms`,
      ];
      if (entry.detail !== undefined) parts.push(entry.detail);
      if (entry.error !== undefined) parts.push(paint('31', entry.error));
      parts.push(paint('2', `corr=${entry.correlationId}`));
      write(`${parts.join('  ')}\n`);
    },
    functionLog(entry) {
      if (!enabled(entry.level)) return;
      const tag =
        entry.level === 'error' || entry.level === 'critical'
          ? paint('31', shortLevel[entry.level])
          : shortLevel[entry.level];
      write(`${paint('2', time())} ${tag}   ${entry.functionName}: ${entry.message}\n`);
    },
    host(level, message, fields) {
      if (!enabled(level)) return;
      const extra = fields
        ? Object.entries(fields)
            .map(([key, value]) => ` ${key}=${String(value)}`)
            .join('')
        : '';
      write(`${paint('2', time())} ${shortLevel[level]}   host: ${message}${extra}\n`);
    },
  };
}
