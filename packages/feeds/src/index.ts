export * from './registry-entry-check.ts';
export * from './registry-file.ts';
export * from './registry-file-source.ts';
export * from './topic-registry-source.ts';
export * from './registry-publisher.ts';
export * from './registry-config.ts';
export * from './factor-set-topic.ts';
export * from './alerting-topic.ts';
