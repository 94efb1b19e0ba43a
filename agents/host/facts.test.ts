// Host facts: the interfaces for the asset list, read without running a command.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatherFacts, interfaceFacts } from './facts.ts';

describe('host facts', () => {
  it('lists interfaces that are up and physical ones that are down, with MAC and IPv4', async () => {
    const sys = mkdtempSync(join(tmpdir(), 'sysnet-'));
    try {
      const iface = (name: string, mac: string, state: string, physical: boolean) => {
        mkdirSync(join(sys, name, ...(physical ? ['device'] : [])), { recursive: true });
        writeFileSync(join(sys, name, 'address'), `${mac}\n`);
        writeFileSync(join(sys, name, 'operstate'), `${state}\n`);
      };
      iface('lo', '00:00:00:00:00:00', 'unknown', false); // up in this namespace: os.networkInterfaces() has it
      iface('eth9', 'aa:bb:cc:dd:ee:09', 'down', true); // a NIC whose cable is out
      iface('veth9', 'aa:bb:cc:dd:ee:10', 'down', false); // virtual and down: not an asset
      const loIp = networkInterfaces().lo?.find((a) => a.family === 'IPv4')?.address;
      expect(loIp, 'loopback must be up (test/run.sh sets lo up in the test namespace)').toBe('127.0.0.1');
      expect(await interfaceFacts(sys)).toEqual([
        { name: 'eth9', mac: 'aa:bb:cc:dd:ee:09', ipv4: '', up: false },
        { name: 'lo', mac: '00:00:00:00:00:00', ipv4: '127.0.0.1', up: false },
      ]);
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });

  it('gathers this machine: every field present, interfaces from /sys', async () => {
    const f = await gatherFacts();
    expect(f.cores).toBeGreaterThan(0);
    expect(f.memoryBytes).toBeGreaterThan(0);
    expect(f.interfaces.map((i) => i.name)).toContain('lo');
  });
});
