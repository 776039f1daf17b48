/** lib/local: the local runner (the whole service on one machine) and its tools. */
export { dashboardDir, dashboardHandler } from './static-files.ts';
export { FAULT_NAMES } from './sim-faults.ts';
export { startLocalRunner, type LocalRunner, type LocalRunnerOptions } from './runner.ts';
