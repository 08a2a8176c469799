/**
 * Contracts between the embedded stack's parts. Every emulator starts on a free loopback port
 * (port 0 unless asked otherwise) and stops cleanly; the stack collects their connection settings
 * under the app setting names of shared/config/settingNames.ts.
 */
export interface RunningService {
  readonly name: string;
  /** Base URL or endpoint other parts connect to. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Directory for durable state (`.local/` for `npm start`); undefined keeps everything in memory. */
  readonly persistDir?: string;
  /** Start the local Application Insights collector too (tests); `npm start` leaves it off. */
  readonly withTelemetryCollector?: boolean;
}

export interface Stack {
  /** App settings (name → value) that point the app at this stack. */
  readonly settings: Readonly<Record<string, string>>;
  readonly services: readonly RunningService[];
  stop(): Promise<void>;
}
