// `sansang agent`: registered by its issue.
import type { Command } from 'commander';

export function registerAgentCommands(_program: Command): void {}
