// `promtool check metrics` on real exposition text: exit 0 and no lint output, or the test fails
// naming the Debian package when promtool is missing.
import { spawnSync } from 'node:child_process';

export function promtoolCheckMetrics(text: string): { ok: boolean; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is missing: install the Debian package prometheus (${r.error.message})`);
  const output = `${r.stdout}${r.stderr}`.trim();
  return { ok: r.status === 0 && output === '', output };
}
