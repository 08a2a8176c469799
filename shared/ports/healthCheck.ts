export interface HealthCheckOptions {
  readonly abortSignal?: AbortSignal;
}

/** One dependency the app cannot work without; `check` resolves when it answers correctly. */
export interface HealthCheck {
  readonly name: string;
  check(options?: HealthCheckOptions): Promise<void>;
}
