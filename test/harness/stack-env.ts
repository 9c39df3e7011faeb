import { inject } from 'vitest';
import type { StackConnection } from '@meterline/local-stack';
import type { NativeStackInfo } from './global-setup.ts';

/** The stack the global setup started, as handed to this test file. */
export function stackEnv(): { stack: StackConnection; native: NativeStackInfo | undefined } {
  return { stack: inject('stack'), native: inject('native') };
}
