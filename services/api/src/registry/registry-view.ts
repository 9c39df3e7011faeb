import type { FastifyInstance, FastifyRequest } from 'fastify';
import { indexRegistry, type Manifest, type RegistryIndex } from '@meterline/domain';
import type { RegistrySource } from '@meterline/feeds';

/** The registry one request is answered from: the manifest in force when it arrived, and its lookup tables. */
export interface RegistryView {
  readonly manifest: Manifest;
  readonly index: RegistryIndex;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every /v1 request before authentication: one registry for the whole request. */
    registry: RegistryView | undefined;
  }
}

/**
 * The registry's latest manifest as a view, per request: service-kit's file source (reread
 * when the file changed) or topic source (followed as entries arrive). Both hand out the same
 * manifest object until it changes, so the index is built once per change, not per request.
 * `recheckMs`: how long a view is used before the source is asked again. The topic source
 * answers from memory (0); the file source stats its file on every ask (about 0.1 ms), so a
 * file is asked at most once a second or so and a change to it applies within that time.
 */
export function registryViews(source: RegistrySource, options: { recheckMs?: number; clock?: () => number } = {}): () => Promise<RegistryView> {
  const recheckMs = options.recheckMs ?? 0;
  const clock = options.clock ?? performance.now.bind(performance);
  let last: RegistryView | undefined;
  let askedAt = Number.NEGATIVE_INFINITY;
  return async () => {
    if (last !== undefined && clock() - askedAt < recheckMs) return last;
    askedAt = clock();
    const manifest = await source.current();
    if (last?.manifest !== manifest) last = { manifest, index: indexRegistry(manifest) };
    return last;
  };
}

/** A registry that never changes (tests, the OpenAPI document). */
export const fixedRegistry = (manifest: Manifest): RegistrySource => ({ current: () => Promise.resolve(manifest)});

/** Adds to this plugin context: each request takes the registry in force when it arrives and keeps it to its answer. */
export function attachRegistry(app: FastifyInstance, view: () => Promise<RegistryView>): void {
  app.addHook('onRequest', async (request) => {
    request.registry = await view();
  });
}

export function registryOf(request: FastifyRequest): RegistryView {
  // Only routes behind attachRegistry call this; a missing view is a wiring bug.
  if (!request.registry) throw new Error('route reached without a registry view');
  return request.registry;
}
