/** What the engine reports to operations; Application Insights in Azure, nothing when unset. */
export interface Telemetry {
  trackEvent(name: string, properties?: Readonly<Record<string, string | number | boolean>>): void;
  trackMetric(name: string, value: number, properties?: Readonly<Record<string, string>>): void;
  trackException(error: Error, properties?: Readonly<Record<string, string>>): void;
  flush(): Promise<void>;
}

export const noopTelemetry: Telemetry = {
  trackEvent: () => undefined,
  trackMetric: () => undefined,
  trackException: () => undefined,
  flush: () => Promise.resolve(),
};
