// The bundled agent's command line (`node sansang-agent.cjs …`, what the kit carries): run,
// check and install, reading the site configuration next to the file or in /etc/sansang-agent.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { InputError, InventoryError } from '../inventory/index.ts';
import { addCheckCommand, addInstallCommand, addRunAction, addSourceOptions } from './cli.ts';
import { CONFIG_NAME, INSTALL_PATHS } from './install/layout.ts';
import { AGENT_VERSION } from './version.ts';

const selfDir = dirname(process.argv[1] ?? '.');
const besideMe = join(selfDir, CONFIG_NAME);
const defaultConfig = existsSync(besideMe) ? besideMe : `${INSTALL_PATHS.configDir}/${CONFIG_NAME}`;

const program = new Command('sansang-agent').description('sansang site agent').version(AGENT_VERSION).exitOverride();
addRunAction(
  addSourceOptions(program.command('run', { isDefault: true }).description('run the agent (the default)'), false),
  defaultConfig,
);
addCheckCommand(program, false, defaultConfig);
addInstallCommand(program, selfDir);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
    return;
  }
  if (e instanceof InputError || e instanceof InventoryError) {
    process.stderr.write(`sansang-agent: ${e.message}\n`);
    process.exitCode = 1;
    return;
  }
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(`sansang-agent: ${err?.code === 'ENOENT' ? `${err.path}: no such file` : (err?.stack ?? String(e))}\n`);
  process.exitCode = err?.code === 'ENOENT' ? 1 : 70;
});
