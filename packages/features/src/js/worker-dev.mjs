// Worker module of the JS engine's pool when the pool runs from its TypeScript source (vitest,
// tsx): registers tsx in the worker, then loads worker.ts. The compiled package uses worker.js.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./worker.ts');
export default run;
