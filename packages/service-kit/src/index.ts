export * from './config.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './ops-server.ts';
export * from './run-service.ts';
export * from './backoff.ts';
export * from './influx-config.ts';
export * from './watched-file.ts';
