// `sansang board`: registered by its issue.
import type { Command } from 'commander';

export function registerBoardCommands(_program: Command): void {}
