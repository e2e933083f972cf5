import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      '{apps,packages}/*/{src,test}/**/*.test.ts',
      'apps/web/src/**/*.test.tsx',
      'e2e/**/*.test.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    // One PostgreSQL for the run (embedded, or TEST_DATABASE_URL); each file clones its own database.
    globalSetup: ['./packages/db/src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CI reads the JSON report to print its "N passed, N failed" line (.ci/run).
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
});
