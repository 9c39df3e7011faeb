export * from './errors.ts';
export * from './units.ts';
export * from './quantities.ts';
export * from './carriers.ts';
export * from './calendar/time-zone.ts';
export * from './registry/manifest-schema.ts';
export * from './registry/manifest.ts';
export * from './registry/registry-index.ts';
