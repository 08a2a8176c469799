import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { BLOB_CONTAINERS } from '../../../shared/config/blobContainers';

describe('blob containers', () => {
  it('every container the engine writes is declared in infra/azure (the app cannot create them there)', () => {
    const bicep = readFileSync(join(__dirname, '../../../infra/azure/main.bicep'), 'utf8');
    const block = /containerNames:\s*\[([^\]]*)\]/.exec(bicep)?.[1] ?? '';
    for (const name of BLOB_CONTAINERS) expect(block).toContain(`'${name}'`);
  });
});
