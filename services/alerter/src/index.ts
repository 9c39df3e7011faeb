export { createAlertManager } from './alert-manager.ts';
export { parseAlertingConfig } from './alerting-config.ts';
export { createAlerterMetrics } from './metrics.ts';
