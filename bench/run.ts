import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node dist/bench/run.js NAME [args]` runs bench/NAME.ts, which exports `main()`: it prints its
 * figures and ends with one JSON line. Extra args stay in process.argv for the bench to read.
 */

interface BenchModule {
  main(): Promise<void>;
}

function availableBenches(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js')
    .map((f) => f.slice(0, -'.js'.length))
    .sort();
}

async function run(): Promise<void> {
  const name = process.argv[2];
  const available = availableBenches();
  if (name === undefined || !available.includes(name)) {
    const shown = name === undefined ? 'no bench named' : `unknown bench '${name}'`;
    console.error(`${shown}. Usage: npm run bench -- NAME. Available: ${available.join(', ') || '(none)'}`);
    process.exitCode = 2;
    return;
  }
  const loaded = (await import(join(__dirname, `${name}.js`))) as Partial<BenchModule> & {
    default?: Partial<BenchModule>;
  };
  const main = loaded.main ?? loaded.default?.main;
  if (typeof main !== 'function') {
    console.error(`bench '${name}' does not export main()`);
    process.exitCode = 2;
    return;
  }
  await main();
}

run().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
