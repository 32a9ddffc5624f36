// The replay thread's entry: a worker thread does not inherit the parent's TypeScript loader, so
// it registers tsx's (its public API) before it loads the replay thread.
import { register } from 'tsx/esm/api';

register();
await import('./replay.thread.ts');
