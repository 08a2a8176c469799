import type * as CoreApiModule from '../../../infra/local/host/coreApi';

jest.mock(
  '@azure/functions-core',
  () => jest.requireActual<typeof CoreApiModule>('../../../infra/local/host/coreApi').coreApi,
  { virtual: true },
);

import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { coreApi, coreState } from '../../../infra/local/host/coreApi';
import type { RpcLogLevel } from '../../../infra/local/host/coreTypes';
import { FunctionTimeoutError, invokeRegisteredFunction } from '../../../infra/local/host/invoke';

const logs: { level: RpcLogLevel; message: string }[] = [];
let counter = 0;

async function invoke(name: string, timeoutMs?: number): Promise<unknown> {
  const fn = coreState.functions.get(name);
  if (!fn) throw new Error(`${name} is not registered`);
  const triggerName = Object.keys(fn.metadata.bindings).find((key) => key !== '$return') ?? '';
  counter += 1;
  const response = await invokeRegisteredFunction({
    state: coreState,
    fn,
    timeoutMs,
    log: (level, _category, message) => logs.push({ level, message }),
    request: {
      invocationId: `inv-${counter}`,
      inputData: [
        { name: triggerName, data: { http: { method: 'GET', url: 'http://localhost/api/x', headers: {} } } },
      ],
    },
  });
  return response.returnValue?.http?.statusCode;
}

const ok = (): HttpResponseInit => ({ status: 200 });

app.get('Replaced', { route: 'replaced', handler: ok });
app.get('Throws', {
  route: 'throws',
  handler: () => {
    throw new Error('boom');
  },
});
app.get('Logs', {
  route: 'logs',
  handler: (_request, context: InvocationContext) => {
    context.warn('secret=hunter2');
    context.debug('details');
    return ok();
  },
});
app.get('Slow', {
  route: 'slow',
  handler: async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return ok();
  },
});

app.hook.preInvocation((context) => {
  if (context.invocationContext.functionName === 'Replaced') {
    context.functionHandler = () => ({ status: 418 });
  }
});
app.hook.postInvocation((context) => {
  if (context.invocationContext.functionName === 'Throws' && context.error instanceof Error) {
    context.error = null;
    context.result = { status: 299 };
  }
});
app.hook.log((context) => {
  context.message = context.message.replace(/secret=\S+/, 'secret=***');
});

beforeEach(() => {
  logs.length = 0;
});

describe('invoking through the programming model', () => {
  it('lets a preInvocation hook replace the handler', async () => {
    expect(await invoke('Replaced')).toBe('418');
  });

  it('lets a postInvocation hook clear the error and set the result', async () => {
    expect(await invoke('Throws')).toBe('299');
  });

  it('routes context logs through log hooks with their levels', async () => {
    await invoke('Logs');
    expect(logs).toEqual(
      expect.arrayContaining([
        { level: 'warning', message: 'secret=***' },
        { level: 'debug', message: 'details' },
      ]),
    );
    expect(JSON.stringify(logs)).not.toContain('hunter2');
  });

  it('fails an invocation that outlives functionTimeout', async () => {
    await expect(invoke('Slow', 50)).rejects.toBeInstanceOf(FunctionTimeoutError);
    expect(await invoke('Slow', 1000)).toBe('200');
  });
});

describe('the runtime module', () => {
  it('rejects a second function with the same name', () => {
    expect(() => {
      app.get('Replaced', { route: 'again', handler: ok });
    }).toThrow(/already been registered/);
  });

  it('rejects registrations while a host is running, as the worker does after startup', () => {
    coreState.hostRunning = true;
    try {
      expect(() => {
        app.get('Late', { route: 'late', handler: ok });
      }).toThrow(/only be registered during app startup/);
    } finally {
      coreState.hostRunning = false;
    }
  });

  it('rejects hooks it does not know, the way the library expects of an old host', () => {
    expect(() => coreApi.registerHook('someFutureHook', () => undefined)).toThrow(RangeError);
  });

  it('forgets a disposed hook', async () => {
    let calls = 0;
    const hook = app.hook.preInvocation(() => {
      calls += 1;
    });
    await invoke('Logs');
    hook.dispose();
    await invoke('Logs');
    expect(calls).toBe(1);
  });
});
