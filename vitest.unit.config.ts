import { defineConfig } from 'vitest/config';

// Unit tests of pure logic (ordering predicates, parsers, options). The e2e scenarios run through `npm run e2e`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
