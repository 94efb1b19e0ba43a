// Each link's heartbeat, BFD-like: one small echo every second (`agent.heartbeat.every`) to the
// link's gateway and to a data-center address, from the link's own address; a target that leaves
// `misses` echoes in a row unanswered is down. A cut beyond the office's own cable (the carrier
// stays up, the far side drops everything) is then seen within `misses` echoes instead of a
// probe's whole timeout. One long-running `ping` per target (iputils, given only validated IP
// literals, no shell, C locale): a single fork, not one every second; its replies are read line
// by line as they come. A `ping` that exits (an address taken away, the interface gone) is
// started again, a little later each time it keeps failing.
import { spawn, type ChildProcess } from 'node:child_process';
import { isIP } from 'node:net';
import type { Cause, LinkName } from '../../inventory/index.ts';
import { explainNoReply } from './icmp.ts';
import { linkProblem } from './link-state.ts';

export interface HeartbeatTarget {
  link: LinkName;
  /** The link's source address. */
  source: string;
  /** The address echoed: the gateway, or a data-center address. */
  address: string;
  gateway: string;
  /** The probe job whose result a change of this target's state stands for. */
  job: string;
  /** The service the data-center address belongs to, and who runs it (none for the gateway). */
  service?: string;
  operator?: string;
}

export interface HeartbeatChange {
  target: HeartbeatTarget;
  up: boolean;
  /** Why it went down. */
  cause?: Cause;
  /** Echoes unanswered in a row when it went down. */
  misses: number;
  /** Seconds since the last answer. */
  silentSeconds: number;
}

export interface HeartbeatOptions {
  everyMs: number;
  misses: number;
  onChange(c: HeartbeatChange): void;
  log?(line: string): void;
  /** The program to run (tests). */
  ping?: string;
}

/** At most this long between restarts of a `ping` that keeps exiting. */
const MAX_BACKOFF_MS = 30_000;

class Beat {
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private lastReply = performance.now();
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  /** The last lines ping printed that were not replies (a router's answer, an error). */
  private lastNoise = '';
  private backoffMs: number;
  private stopped = false;

  constructor(
    readonly target: HeartbeatTarget,
    private readonly o: HeartbeatOptions,
  ) {
    this.backoffMs = o.everyMs;
  }

  start(): void {
    this.lastReply = performance.now();
    this.arm();
    this.spawn();
  }

  /** Down once `misses` echoes in a row go unanswered: the last one is given half an echo's spacing to answer. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = this.o.misses * this.o.everyMs + this.o.everyMs / 2;
    this.timer = setTimeout(() => void this.down(), ms);
  }

  private spawn(): void {
    if (this.stopped) return;
    const t = this.target;
    // -O: a line every echo, answered or not, so a ping whose agent is gone (killed, its pipe
    // closed) dies of SIGPIPE at its next echo; -w: at the latest after an hour, then started again.
    const args = [
      '-n',
      '-O',
      '-w',
      '3600',
      '-i',
      (this.o.everyMs / 1000).toFixed(3),
      '-I',
      t.source,
      ...(isIP(t.address) === 6 ? ['-6'] : []),
      t.address,
    ];
    let child: ChildProcess;
    try {
      child = spawn(this.o.ping ?? 'ping', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    } catch (e) {
      this.o.log?.(`sansang agent: heartbeat to ${t.address} cannot start ping: ${String(e)}`);
      this.scheduleRestart();
      return;
    }
    this.child = child;
    const started = performance.now();
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.line(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (buf.length > 4096) buf = '';
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.stdout!.on('error', () => undefined);
    child.stderr!.on('error', () => undefined);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') this.lastNoise = 'ping: not found';
    });
    child.on('close', () => {
      if (this.child === child) this.child = null;
      // A ping that ran for a while had worked: start again soon; one that exits at once, later each time.
      this.backoffMs = performance.now() - started > 10 * this.o.everyMs ? this.o.everyMs : Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.spawn();
    }, this.backoffMs);
  }

  private line(l: string): void {
    if (/ bytes from /.test(l)) {
      this.lastReply = performance.now();
      this.lastNoise = '';
      this.arm();
      if (this.state !== 'up') {
        const was = this.state;
        this.state = 'up';
        if (was === 'down') this.o.onChange({ target: this.target, up: true, misses: 0, silentSeconds: 0 });
      }
    } else if (l.trim() && !/^PING |^---|packets transmitted|^rtt |^no answer yet/.test(l)) {
      this.lastNoise = `${this.lastNoise}\n${l}`.slice(-1000);
    }
  }

  private async down(): Promise<void> {
    if (this.stopped) return;
    this.arm(); // keeps checking; a reply re-arms it anyway
    if (this.state === 'down') return;
    this.state = 'down';
    const silentSeconds = (performance.now() - this.lastReply) / 1000;
    const misses = Math.max(this.o.misses, Math.floor(silentSeconds / (this.o.everyMs / 1000)));
    const t = this.target;
    let cause: Cause | null = linkProblem(t.source, t.link, true);
    if (!cause) {
      if (this.lastNoise.includes('ping: not found')) cause = { kind: 'ping-missing' };
      else
        cause = await explainNoReply(this.lastNoise, misses, t.address, {
          sourceAddress: t.source,
          timeoutMs: silentSeconds * 1000,
          signal: new AbortController().signal,
          path: {
            link: t.link,
            gateway: t.gateway,
            ...(t.service ? { service: t.service } : {}),
            ...(t.operator ? { operator: t.operator } : {}),
          },
        });
    }
    // A reply may have come while the cause was being worked out.
    if (this.state !== 'down' || this.stopped) return;
    this.o.onChange({ target: t, up: false, cause, misses, silentSeconds });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.child?.kill('SIGTERM');
    this.child = null;
  }
}

/** Every link's heartbeat: start, stop. */
export class Heartbeat {
  private readonly beats: Beat[];

  constructor(targets: readonly HeartbeatTarget[], opts: HeartbeatOptions) {
    // Only IP literals reach ping (the targets come from the inventory, checked again here).
    this.beats = targets.filter((t) => isIP(t.address) && isIP(t.source)).map((t) => new Beat(t, opts));
  }

  get targets(): HeartbeatTarget[] {
    return this.beats.map((b) => b.target);
  }

  start(): void {
    for (const b of this.beats) b.start();
  }

  stop(): void {
    for (const b of this.beats) b.stop();
  }
}
