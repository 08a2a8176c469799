import * as appInsights from 'applicationinsights';

import type { Telemetry } from '../ports/telemetry';

let started = false;

/**
 * Starts Application Insights once per process. Console auto-collection stays off because our
 * logger already redacts what it writes; re-collecting raw console output could leak payloads.
 */
export function createAppInsightsTelemetry(connectionString: string): Telemetry {
  if (!started) {
    appInsights
      .setup(connectionString)
      .setAutoCollectConsole(false, false)
      .setAutoCollectRequests(true)
      .setAutoCollectDependencies(true)
      .setAutoCollectExceptions(true)
      .setSendLiveMetrics(false)
      .start();
    started = true;
  }
  const client = appInsights.defaultClient;
  const stringProps = (
    p?: Readonly<Record<string, string | number | boolean>>,
  ): Record<string, string> | undefined =>
    p === undefined ? undefined : Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]));
  return {
    trackEvent: (name, properties) => {
      const props = stringProps(properties);
      client.trackEvent(props === undefined ? { name } : { name, properties: props });
    },
    trackMetric: (name, value, properties) => {
      client.trackMetric(
        properties === undefined ? { name, value } : { name, value, properties: { ...properties } },
      );
    },
    trackException: (exception, properties) => {
      client.trackException(
        properties === undefined ? { exception } : { exception, properties: { ...properties } },
      );
    },
    flush: () => client.flush(),
  };
}
