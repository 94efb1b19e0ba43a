// A scrape load for bench/agent.ts, run as a child process of its own so the latency it
// measures is the scraped server's, not the bench driver's event loop (which parses /proc, drives
// the exporter and serves the HTTP targets). Each client keeps its connection alive, as
// Prometheus does, and times one GET from the request to the last byte of the body. A first
// warm-up scrape is made and not counted.
//
//   node --import tsx bench/scrape-load.ts URL SECONDS saturate CLIENTS   (back to back)
//   node --import tsx bench/scrape-load.ts URL SECONDS paced PERIOD_MS    (one scrape per period)
//
// Prints one JSON line: { "ms": [latency of each scrape, in order], "errors": n, "bytes": n }.
import http from 'node:http';

const [url, secondsArg, mode, nArg] = process.argv.slice(2);
if (!url || !secondsArg || (mode !== 'saturate' && mode !== 'paced')) {
  process.stderr.write('usage: scrape-load.ts URL SECONDS saturate CLIENTS | paced PERIOD_MS\n');
  process.exit(2);
}
const seconds = Number(secondsArg);
const n = Number(nArg ?? (mode === 'saturate' ? 8 : 1000));
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const ms: number[] = [];
let errors = 0;
let bytes = 0;

function scrape(): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(url!, { agent }, (res) => {
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode === 200) ms.push(performance.now() - t0);
        else errors++;
        resolve();
      });
      res.on('error', () => {
        errors++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
// One warm-up scrape, not counted: it opens the connection and runs this client's code cold,
// a once-per-process cost on both sides that a long-running scraper never sees again.
await scrape();
ms.length = 0;
errors = 0;
const stop = Date.now() + seconds * 1000;
if (mode === 'saturate') {
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (Date.now() < stop) await scrape();
    }),
  );
} else {
  // Paced at a fixed phase (not "period after the last one ended"), like Prometheus' scrape loop.
  for (let next = Date.now(); next < stop; next += n) {
    await sleep(Math.max(0, next - Date.now()));
    await scrape();
  }
}
agent.destroy();
process.stdout.write(`${JSON.stringify({ ms, errors, bytes })}\n`);
