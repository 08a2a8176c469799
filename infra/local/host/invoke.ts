import type { CoreApiState, RegisteredCallback } from './coreApi';
import type {
  CoreInvocationContext,
  FunctionCallback,
  HookContext,
  InvocationState,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
  RpcFunctionMetadata,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
} from './coreTypes';

export type InvocationLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
  constructor(functionName: string, timeoutMs: number) {
    super(`Timeout value of ${timeoutMs} ms exceeded by function '${functionName}'`);
  }
}

export interface InvokeOptions {
  readonly state: CoreApiState;
  readonly fn: RegisteredCallback;
  readonly request: RpcInvocationRequest & { invocationId: string };
  readonly log: InvocationLogSink;
  readonly timeoutMs: number | undefined;
}

const rpcMetadataCache = new WeakMap<RegisteredCallback, RpcFunctionMetadata>();

/** The metadata the worker hands the programming model (`rawBindings` is what the host reads). */
export function toRpcFunctionMetadata(fn: RegisteredCallback): RpcFunctionMetadata {
  const cached = rpcMetadataCache.get(fn);
  if (cached) return cached;
  const { metadata } = fn;
  const rpc: RpcFunctionMetadata = {
    ...metadata,
    name: metadata.name,
    functionId: metadata.name,
    bindings: metadata.bindings,
    rawBindings: Object.entries(metadata.bindings).map(([name, binding]) =>
      JSON.stringify({ ...binding, name }),
    ),
    scriptFile: 'n/a',
  };
  rpcMetadataCache.set(fn, rpc);
  return rpc;
}

function isError(value: unknown): boolean {
  // The worker rethrows anything set as the error, unless a postInvocation hook cleared it.
  return value !== null && value !== undefined;
}

/**
 * Runs one invocation the way the Node.js worker's InvocationHandler does: the programming
 * model builds the arguments from the RPC request, preInvocation hooks may replace inputs and
 * the handler, postInvocation hooks may replace the result or clear the error, and the model
 * turns the result into the RPC response. Throws what the function threw.
 */
export async function invokeRegisteredFunction(options: InvokeOptions): Promise<RpcInvocationResponse> {
  const { state, fn, request } = options;
  const programmingModel = state.programmingModel;
  if (!programmingModel) {
    throw new Error('No programming model is registered; is the app built on @azure/functions v4?');
  }

  // Known once the model has built the arguments; log hooks of earlier logs see undefined.
  const scope: { invocationContext?: unknown } = {};
  const logHooks = state.getHooks('log');
  const coreCtx: CoreInvocationContext = {
    invocationId: request.invocationId,
    request,
    metadata: toRpcFunctionMetadata(fn),
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      let finalLevel = level;
      let finalMessage = message;
      if (logHooks.length > 0) {
        const hookContext: LogHookContext = {
          hookData: {},
          appHookData: state.appHookData,
          level,
          message,
          category,
          invocationContext: scope.invocationContext,
        };
        for (const hook of logHooks) {
          // Log hooks are synchronous in the worker; a returned promise is not awaited there either.
          (hook as (context: LogHookContext) => unknown)(hookContext);
        }
        finalLevel = hookContext.level;
        finalMessage = hookContext.message;
      }
      options.log(finalLevel, category, finalMessage);
    },
  };
  const setState = (value: InvocationState | undefined): void => {
    if (value === undefined) delete coreCtx.state;
    else coreCtx.state = value;
  };

  const model = await programmingModel.getInvocationModel(coreCtx);
  const args = await model.getArguments();
  scope.invocationContext = args.context;
  const hookData: Record<string, unknown> = {};

  const preContext: PreInvocationContext = {
    hookData,
    appHookData: state.appHookData,
    invocationContext: args.context,
    inputs: args.inputs,
    functionCallback: fn.callback,
  };
  setState('preInvocationHooks');
  try {
    await runHooks(state.getHooks('preInvocation'), preContext);
  } finally {
    setState(undefined);
  }

  const callback: FunctionCallback = preContext.functionCallback;
  const postContext: PostInvocationContext = {
    hookData,
    appHookData: state.appHookData,
    invocationContext: args.context,
    inputs: preContext.inputs,
    result: null,
    error: null,
  };

  setState('invocation');
  try {
    postContext.result = await withTimeout(
      model.invokeFunction(args.context, preContext.inputs, callback),
      fn.metadata.name,
      options.timeoutMs,
    );
  } catch (err) {
    postContext.error = err;
  } finally {
    setState(undefined);
  }

  setState('postInvocationHooks');
  try {
    await runHooks(state.getHooks('postInvocation'), postContext);
  } finally {
    setState(undefined);
  }

  if (isError(postContext.error)) throw postContext.error;
  return model.getResponse(args.context, postContext.result);
}

async function runHooks(hooks: readonly unknown[], context: HookContext): Promise<void> {
  for (const hook of [...hooks]) {
    await (hook as (context: HookContext) => unknown)(context);
  }
}

async function withTimeout<T>(
  work: Promise<T>,
  functionName: string,
  timeoutMs: number | undefined,
): Promise<T> {
  if (timeoutMs === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new FunctionTimeoutError(functionName, timeoutMs));
    }, timeoutMs);
    timer.unref();
  });
  // A handler that outlives its timeout keeps running (JavaScript cannot cancel it); its late
  // failure must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs appStart/appTerminate hooks with the worker's context shape. */
export async function runAppHooks(
  state: CoreApiState,
  name: 'appStart' | 'appTerminate',
  functionAppDirectory: string,
): Promise<void> {
  const context: HookContext & { functionAppDirectory?: string } = {
    hookData: state.appLevelOnlyHookData,
    appHookData: state.appHookData,
    ...(name === 'appStart' ? { functionAppDirectory } : {}),
  };
  await runHooks(state.getHooks(name), context);
}
