import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous: the demo quality, PAE and face-network reference tests take minutes when the two
    // cores are busy; a test that hangs still fails, only later.
    testTimeout: 600_000,
    hookTimeout: 300_000,
    // Two cores: the ONNX and browser tests are CPU-heavy, so run files two at a time at most.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
