// What `startDemo` takes and hands back, the loopback demo and the lab alike. In a module of its
// own so that run.ts and lab/run-lab.ts both import it without importing each other.
import type { UnitSummary } from './board-client.ts';

export interface DemoOptions {
  inventory: string;
  dir: string;
  board: string;
  control: string;
  prometheus?: string;
  lab?: boolean;
  synth?: boolean;
  /** Other boards the agents push to besides the demo's (tests: the other data center's board). */
  pushReceivers?: string[];
  /** A shorter probe interval than the inventory's (tests). */
  interval?: string;
  /** Print progress here (stderr by default). */
  say?: (line: string) => void;
}

export interface Demo {
  boardUrl: string;
  controlUrl: string;
  prometheusUrl?: string;
  /** Each site's agent, its /metrics URL on every link. */
  agents: Record<string, string[]>;
  stop(): Promise<void>;
  /** Resolves when every unit is GO, with the overview, or rejects after `timeoutMs`. */
  allGo(timeoutMs?: number): Promise<UnitSummary[]>;
}
