export { WarrenLogShipper, LOG_SHIPPER_OPTIONS } from './warren-log-shipper';
export type { LogShipperOptions, LogRecord, LogLevelName } from './warren-log-shipper';
