/**
 * Block Kit messages, pure, within Slack's limits: the kit (text, sections, messages: blocks/kit.ts),
 * monospaced tables (blocks/tables.ts) and lowpower's views (results, status, the night's plan, the
 * confirmation: blocks/views.ts). One import for the answer builders.
 */
export * from './blocks/kit.ts';
export * from './blocks/tables.ts';
export * from './blocks/views.ts';
