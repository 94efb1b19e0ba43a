// `sansang demo` (what `npm start` runs) and `sansang demo fault`.
import type { Command } from 'commander';
import { DEMO_DEFAULTS } from '../demo/defaults.ts';
import { FAULTS, sendFault, type FaultAction } from '../demo/control.ts';
import { UsageError } from './errors.ts';

export function registerDemoCommands(program: Command): void {
  const demo = program
    .command('demo')
    // `demo --control` and `demo fault --control` are different options: each after its own command.
    .enablePositionalOptions()
    .description('run a live province on this machine: stand-in services, one agent per site, the board (what `npm start` runs)')
    .option('--inventory <file>', 'the province to run', DEMO_DEFAULTS.inventory)
    .option('--dir <dir>', 'where everything the demo writes goes (kept between runs)', DEMO_DEFAULTS.dir)
    .option('--board <host:port>', 'where the board listens', DEMO_DEFAULTS.board)
    .option('--control <host:port>', 'the control port `sansang demo fault` talks to', DEMO_DEFAULTS.control)
    .option(
      '--prometheus [host:port]',
      `also run Prometheus (Debian: prometheus) and point the board at it (default ${DEMO_DEFAULTS.prometheus})`,
    )
    .option('--no-synth', 'skip synthesising the stacks')
    .option('--lab', 'root only: every site in a network namespace of its own, joined by veth links, so a cut link is a real cut')
    .action(
      async (opts: {
        inventory: string;
        dir: string;
        board: string;
        control: string;
        prometheus?: string | boolean;
        synth: boolean;
        lab?: boolean;
      }) => {
        const say = (l: string) => process.stderr.write(`${l}\n`);
        say(`sansang demo: ${opts.inventory}, everything written under ${opts.dir}`);
        const { startDemo } = await import('../demo/run.ts');
        const d = await startDemo({
          ...opts,
          prometheus: opts.prometheus === true ? DEMO_DEFAULTS.prometheus : opts.prometheus || undefined,
          say,
        });
        const stop = () => void d.stop().then(() => process.exit(0));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        say('');
        say(`Board:    ${d.boardUrl}/`);
        if (d.prometheusUrl) say(`Prometheus: ${d.prometheusUrl}/`);
        for (const [site, urls] of Object.entries(d.agents)) say(`Agent:    ${site.padEnd(20)} ${urls.join('  ')}`);
        say(`Faults:   npx sansang demo fault stop-service lgsp   (see: npx sansang demo fault --help)`);
        say('Stop:     Ctrl-C');
        say('');
        say('waiting for every unit to be GO…');
        try {
          const units = await d.allGo(90_000);
          say(`all ${units.length} units GO — open ${d.boardUrl}/`);
        } catch (e) {
          say(`not every unit is GO yet: ${(e as Error).message}`);
        }
      },
    );

  demo
    .command('fault')
    .description('inject a fault into the running demo')
    .argument('<action>', Object.keys(FAULTS).join(' | '))
    .argument('<target>', 'a service id or a site id, as the action needs')
    .option('--ms <n>', 'for slow-service: how late to answer, in ms', '5000')
    .option('--link <link>', 'for cut-link, restore-link and loss: primary or backup', 'primary')
    .option('--percent <n>', 'for loss: the share of packets dropped, 0-100 (0 restores)')
    .option('--control <host:port>', "the demo's control port", DEMO_DEFAULTS.control)
    .addHelpText(
      'after',
      `\nFaults:\n${Object.entries(FAULTS)
        .map(([k, v]) => `  ${k.padEnd(14)}${v}`)
        .join('\n')}\n`,
    )
    .action(async (action: string, target: string, opts: { ms: string; link: string; control: string; percent?: string }) => {
      if (!(action in FAULTS)) throw new UsageError(`unknown fault "${action}"; faults: ${Object.keys(FAULTS).join(', ')}`);
      if (opts.link !== 'primary' && opts.link !== 'backup') throw new UsageError('--link is primary or backup');
      if (action === 'loss' && opts.percent === undefined) throw new UsageError('loss needs --percent N (0 restores)');
      const msg = await sendFault(`http://${opts.control}`, {
        action: action as FaultAction,
        target,
        ms: Number(opts.ms),
        link: opts.link,
        percent: opts.percent === undefined ? undefined : Number(opts.percent),
      });
      process.stdout.write(`${msg}\n`);
    });
}
