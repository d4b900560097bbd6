export * from './warren-options.interface';
export * from './handler-options.interface';
export * from './publish-options.interface';
export * from './retry-options.interface';
export * from './error-handling.interface';
export * from './batch-options.interface';
export * from './pass-through.interface';
