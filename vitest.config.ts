import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real peers (ipmi_sim, pyghmi) and real UDP: give slow CI machines room, but a hung
    // test still fails rather than stalling the run.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two test files at a time on two cores (vitest's default leaves one core idle): most files
    // wait on simulators and sockets. Ports are picked below the ephemeral range (test/support/peers.ts).
    maxWorkers: 2,
    // Every API answer a test receives is held against its route's documented schema (lib/api/router.ts).
    env: { LOWPOWER_CHECK_RESPONSES: '1' },
  },
});
