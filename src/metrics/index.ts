export { createMetrics, type Metrics, type DialoutRejectionReason, type NotificationResult } from './metrics.js';
