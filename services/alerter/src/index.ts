export { ALERTER_MEASUREMENTS } from './alert-repository.ts';
export { ALERT_DELIVERY_MEASUREMENT, readDeliveries } from './delivery/index.ts';
export { createAlertManager } from './alert-manager.ts';
export { recordSeen } from './alert-repository.ts';
export { parseAlertingConfig } from './alerting-config.ts';
export { createAlerterMetrics } from './metrics.ts';
export { alertRecordPoints, saveAlerts } from './alert-repository.ts';
