#!/usr/bin/env node
// Entry point for `npx sansang`: runs the TypeScript sources through tsx, so no build step is
// needed after `npm ci`. The site agent is bundled separately by `sansang agent kit`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
await main(process.argv);
