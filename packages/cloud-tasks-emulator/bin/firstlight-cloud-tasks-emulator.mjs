#!/usr/bin/env node
// The emulator is TypeScript run by tsx (as the whole product is): register it, then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
