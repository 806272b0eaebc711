export * from './errors.ts';
export * from './logger.ts';
export * from './config.ts';
export * from './telemetry.ts';
export { type AsyncServiceImplementation, type CallContext, type UnaryHandler, type ServerStreamHandler } from './handlers.ts';
export { startServer, service, shutdownOnSignals, type RunningServer, type ServiceRegistration } from './server.ts';
export { clientInterceptors } from './client.ts';
export { UsageError, type Command } from './command.ts';
export { readLimitOptions, type LimitOption } from './limit-options.ts';
