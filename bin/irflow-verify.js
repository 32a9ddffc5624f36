#!/usr/bin/env node
// npm bin shim: runs the TypeScript verifier through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/irflow-verify.ts');
