// The rule pack: each rule looks at one resource's synthesized configuration (snake_case, as
// Terraform reads it) and says what is wrong with it, if anything.
import { Token } from 'cdktf';
import { isPinnedImage } from '../config/images.ts';

export interface Rule {
  id: string;
  /** Terraform resource types the rule looks at. */
  types: readonly string[];
  description: string;
  check(config: Record<string, unknown>): string | undefined;
}

type Cfg = Record<string, unknown>;
/** A reference to another resource or a variable: an unresolved token, or already written as `${…}`. */
const isRef = (v: unknown) =>
  (typeof v === 'string' || typeof v === 'number') && (Token.isUnresolved(v) || (typeof v === 'string' && /^\$\{.+\}$/s.test(v)));
const asArray = (v: unknown): Cfg[] => (Array.isArray(v) ? (v as Cfg[]) : v && typeof v === 'object' ? [v as Cfg] : []);

export const RULES: readonly Rule[] = [
  {
    id: 'SANSANG-IMG-1',
    types: ['docker_image', 'docker_container'],
    description: 'images are pinned to an exact version or a digest (no latest, no bare major)',
    check(c) {
      // A container naming a docker_image resource by reference is checked through that resource.
      const ref = c.name !== undefined && c.image === undefined ? c.name : c.image;
      if (isRef(ref)) return undefined;
      if (typeof ref !== 'string' || !isPinnedImage(ref))
        return `image "${String(ref)}" is not pinned to an exact version (name:1.2.3 or name@sha256:…)`;
      return undefined;
    },
  },
  {
    id: 'SANSANG-CTR-1',
    types: ['docker_container'],
    description: 'every container has a healthcheck',
    check(c) {
      const h = asArray(c.healthcheck)[0];
      const test = h?.test;
      if (!Array.isArray(test) || test.length === 0 || test[0] === 'NONE') return 'the container has no healthcheck';
      return undefined;
    },
  },
  {
    id: 'SANSANG-CTR-2',
    types: ['docker_container'],
    description: 'every container has a restart policy',
    check(c) {
      if (typeof c.restart !== 'string' || !['always', 'unless-stopped', 'on-failure'].includes(c.restart))
        return `restart policy is "${String(c.restart ?? 'no')}"; use unless-stopped, always or on-failure`;
      return undefined;
    },
  },
  {
    id: 'SANSANG-CTR-3',
    types: ['docker_container'],
    description: 'every container has a memory limit',
    check(c) {
      if (isRef(c.memory)) return undefined;
      if (typeof c.memory !== 'number' || c.memory <= 0) return 'the container has no memory limit';
      return undefined;
    },
  },
  {
    id: 'SANSANG-CTR-4',
    types: ['docker_container'],
    description: 'every container rotates its logs (log driver with max-size and max-file)',
    check(c) {
      const driver = c.log_driver;
      if (typeof driver !== 'string') return 'the container sets no log driver';
      if (driver === 'json-file' || driver === 'local') {
        const opts = (c.log_opts ?? {}) as Cfg;
        if (!opts['max-size'] || !opts['max-file']) return `log driver ${driver} without max-size and max-file grows without bound`;
      }
      return undefined;
    },
  },
  {
    id: 'SANSANG-SEC-1',
    types: ['docker_container'],
    description: 'nothing runs privileged',
    check(c) {
      if (c.privileged === true || c.privileged === 'true') return 'the container is privileged';
      return undefined;
    },
  },
  {
    id: 'SANSANG-NET-1',
    types: ['docker_container'],
    description: 'no port is published on all interfaces',
    check(c) {
      if (c.publish_all_ports === true) return 'publish_all_ports publishes every port on all interfaces';
      for (const p of asArray(c.ports)) {
        const ip = p.ip;
        if (ip === undefined || ip === '' || ip === '0.0.0.0' || ip === '::')
          return `port ${String(p.internal)} is published on all interfaces; bind it to one address (ip)`;
      }
      return undefined;
    },
  },
];
