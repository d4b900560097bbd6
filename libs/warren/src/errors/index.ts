export * from './warren.error';
export * from './rpc-timeout.error';
export * from './remote.error';
export * from './message-validation.error';
export * from './malformed-message.error';
export * from './configuration.error';
export * from './connection.error';
export * from './publish.error';
