import { readFileSync } from 'node:fs';

import { SettingNames } from '../../shared/config/settingNames';
import { STACK_FILE_ENV, type StackFile } from './stackFile';

let cached: StackFile | undefined;

function stackFile(): StackFile {
  if (cached !== undefined) return cached;
  const path = process.env[STACK_FILE_ENV];
  if (path === undefined || path === '') {
    throw new Error(
      `${STACK_FILE_ENV} is not set: run this test through a jest project with the stack's globalSetup`,
    );
  }
  cached = JSON.parse(readFileSync(path, 'utf8')) as StackFile;
  return cached;
}

/** App settings (SettingNames → value) of the stack the jest global setup started. */
export function testSettings(): Record<string, string> {
  return { ...stackFile().settings };
}

/** One setting, failing loudly when the stack did not provide it. */
export function testSetting(name: string): string {
  const value = stackFile().settings[name];
  if (value === undefined) throw new Error(`the test stack has no setting ${name}`);
  return value;
}

/** Base URL of the local telemetry collector (from the App Insights connection string). */
export function telemetryCollectorUrl(): string {
  const match = /IngestionEndpoint=([^;]+)/.exec(testSetting(SettingNames.appInsights));
  if (match?.[1] === undefined)
    throw new Error('the App Insights connection string has no IngestionEndpoint');
  return match[1].replace(/\/+$/, '');
}
