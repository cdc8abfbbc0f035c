import { defineConfig } from 'vitest/config';

const json = process.env.VITEST_JSON;
// says which test blocked its process's event loop for long (see the file)
const setupFiles = ['test/setup/stall-watch.ts'];

export default defineConfig({
  test: {
    // native modules (Temporal core, better-sqlite3) are happiest in child processes
    pool: 'forks',
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], setupFiles, testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles,
          // one real Temporal dev server for every integration file
          globalSetup: ['test/setup/temporal-server.ts'],
          // 2 cores: integration files share the server and the real codes
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
