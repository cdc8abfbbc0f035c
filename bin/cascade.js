#!/usr/bin/env node
// The `cascade` command runs the TypeScript sources directly through tsx: no build step, nothing stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main();
// open gRPC channels must not keep a finished command alive
if (!process.argv.includes('worker')) process.exit();
