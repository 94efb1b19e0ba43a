// `sansang synth`: registered by its issue.
import type { Command } from 'commander';

export function registerSynthCommands(_program: Command): void {}
