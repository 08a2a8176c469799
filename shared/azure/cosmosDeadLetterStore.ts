import type { Container } from '@azure/cosmos';

import type { DeadLetterEntry, DeadLetterStore } from '../ports/deadLetterStore';
import type { StoreOptions } from '../ports/documentStore';
import { cosmosStatus } from './cosmosDocuments';

export class CosmosDeadLetterStore implements DeadLetterStore {
  constructor(private readonly container: Container) {}

  async recordDeadLetter(entry: DeadLetterEntry, options: StoreOptions = {}): Promise<void> {
    try {
      await this.container.items.create(
        entry,
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
    } catch (err) {
      // The entry id is derived from the message: a second record of the same failure is the same entry.
      if (cosmosStatus(err) !== 409) throw err;
    }
  }
}
