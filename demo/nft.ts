// Cutting a link on one machine without namespaces: an nftables set of source addresses whose
// packets are dropped on the way out. Cutting a site's primary address makes both its probes
// over that link and the scrapes of its agent on that address fail, as a real cut would.
// Needs root; the table is removed when the demo stops.
import { execFile } from 'node:child_process';
import { isIPv4 } from 'node:net';

const TABLE = 'sansang_demo';

function nft(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('nft', ['-f', '-'], (err, _out, stderr) => {
      if (!err) return resolve();
      const e = err as NodeJS.ErrnoException;
      reject(
        new Error(e.code === 'ENOENT' ? 'nft is not installed (Debian: apt-get install nftables)' : `nft: ${stderr.trim() || e.message}`),
      );
    });
    child.stdin?.end(script);
  });
}

export class LinkCutter {
  private ready = false;

  static available(): boolean {
    return process.getuid?.() === 0;
  }

  private async setup(): Promise<void> {
    if (this.ready) return;
    if (!LinkCutter.available()) throw new Error('cutting a link needs root (nftables); run the demo as root, or with --lab');
    await nft(`table inet ${TABLE} {
  set cut { type ipv4_addr; }
  chain out { type filter hook output priority 0; policy accept; ip saddr @cut drop; }
}
`);
    this.ready = true;
  }

  async cut(address: string): Promise<void> {
    if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
    await this.setup();
    await nft(`add element inet ${TABLE} cut { ${address} }\n`);
  }

  async restore(address: string): Promise<void> {
    if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
    if (!this.ready) return;
    await nft(`delete element inet ${TABLE} cut { ${address} }\n`).catch(() => undefined);
  }

  async cleanup(): Promise<void> {
    if (!this.ready) return;
    this.ready = false;
    await nft(`delete table inet ${TABLE}\n`).catch(() => undefined);
  }
}
