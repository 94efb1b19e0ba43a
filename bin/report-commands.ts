// `sansang report`: the week report from Prometheus, as CSV (default) or a page to print.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadInventoryFile } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

interface ReportFlags {
  prometheus: string;
  inventory: string;
  from?: string;
  to?: string;
  step?: string;
  format: string;
  lang: string;
  boardLog?: string;
  out?: string;
}

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description(
      'the week report per unit from Prometheus: share of time GO, NO-GO minutes, time to recover, shared incidents with their acknowledgements, the items that failed most',
    )
    .requiredOption('--prometheus <url>', "the Prometheus that runs the rules (the data center's), e.g. http://10.40.250.10:9090")
    .requiredOption('--inventory <file>', 'the inventory YAML file (names of the units and items)')
    .option(
      '--from <when>',
      "start: a day (2025-07-01, in the province's time zone), a local time (2025-07-01T08:00) or a time with its offset (default: 7 days before --to)",
    )
    .option('--to <when>', 'end: a day (its end: --to 2025-07-07 includes the 7th), a local time or a time with its offset (default: now)')
    .option('--step <seconds>', 'one sample every so many seconds', '60')
    .option('--format <csv|html>', 'CSV, or a page that prints on A4', 'csv')
    .option('--lang <vi|en>', 'language of the names and words', 'vi')
    .option('--board-log <file>', "the board's sign-off log (DATA-DIR/board-log.jsonl), for the acknowledgements")
    .option('--out <file>', 'write here instead of standard output')
    .action(async (f: ReportFlags) => {
      if (f.format !== 'csv' && f.format !== 'html') throw new UsageError(`--format expects csv or html, not "${f.format}"`);
      if (f.lang !== 'vi' && f.lang !== 'en') throw new UsageError(`--lang expects vi or en, not "${f.lang}"`);
      if (!/^https?:\/\/[^\s/]+/.test(f.prometheus))
        throw new UsageError(`--prometheus expects an http:// or https:// URL, not "${f.prometheus}"`);
      const inventory = await loadInventoryFile(f.inventory);
      const { weekReport, parsePeriod, acksFromLogFile, ReportFetchError } = await import('../dashboards/report/index.ts');
      const period = parsePeriod(f, inventory.province.timezone, Date.now(), { from: '--from', to: '--to', step: '--step' });
      let acks: Awaited<ReturnType<typeof acksFromLogFile>>['acks'] = [];
      if (f.boardLog) {
        const r = await acksFromLogFile(f.boardLog);
        acks = r.acks;
        if (r.unreadable) process.stderr.write(`sansang report: ${f.boardLog}: ${r.unreadable} lines are not JSON and were skipped\n`);
      }
      let report;
      try {
        report = await weekReport({ inventory, prometheus: f.prometheus, period, acks });
      } catch (e) {
        if (e instanceof ReportFetchError) throw new UsageError(`cannot read Prometheus: ${e.message}`);
        throw e;
      }
      for (const p of report.problems(f.lang)) process.stderr.write(`sansang report: ${p}\n`);
      const text = f.format === 'csv' ? report.csv(f.lang) : report.html(f.lang);
      if (f.out) {
        await writeFile(f.out, text);
        process.stderr.write(`wrote ${f.out}\n`);
      } else process.stdout.write(text);
    });
}
