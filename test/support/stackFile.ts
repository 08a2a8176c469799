/** Names shared by the jest global setup/teardown and the helpers tests use. */
export const STACK_FILE_ENV = 'SYNC_TEST_STACK_FILE';

export interface StackFile {
  readonly pid: number;
  readonly writtenAt: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly services: readonly { readonly name: string; readonly url: string }[];
}
