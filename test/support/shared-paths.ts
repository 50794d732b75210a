// `../shared` sits beside the repository checkout, here and in CI (which clones main somewhere else
// than /work/main): resolve it from this file, never from an absolute path.
import { resolve } from 'node:path';

export const SHARED_DIR = resolve(import.meta.dirname, '../../../shared');
export const ENVOY_FIXTURES = resolve(SHARED_DIR, 'fixtures/envoy');
export const SEEDS_DIR = resolve(SHARED_DIR, 'seeds');
