// The `sansang` command line: thin, it parses flags and calls the folders' index modules.
import { Command, CommanderError } from 'commander';
import { registerInventoryCommands } from './inventory-commands.ts';
import { registerConfigCommands } from './config-commands.ts';
import { registerAgentCommands } from './agent-commands.ts';
import { registerBoardCommands } from './board-commands.ts';
import { registerSynthCommands } from './synth-commands.ts';
import { registerCertsCommands } from './certs-commands.ts';
import { registerDemoCommands } from './demo-commands.ts';
import { registerNationalCommands } from './national-commands.ts';
import { registerReportCommands } from './report-commands.ts';
import { UsageError, reportError } from './errors.ts';

export const VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('sansang')
    .description('Readiness toolkit for the switch to two-level local government: inventory, stacks, site agents, go/no-go board.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Options belong to the command they follow (`demo --control` vs `demo fault --control`).
    .enablePositionalOptions()
    .configureHelp({ sortSubcommands: false });
  registerInventoryCommands(program);
  registerConfigCommands(program);
  registerAgentCommands(program);
  registerBoardCommands(program);
  registerReportCommands(program);
  registerSynthCommands(program);
  registerCertsCommands(program);
  registerDemoCommands(program);
  registerNationalCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    process.exitCode = reportError(e);
  }
}

export { UsageError };
