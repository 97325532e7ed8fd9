export { loadConfig, ConfigError, type Config } from './config.ts';
export { runServer, startServer, createLogger, type RunningServer, type StartServerOptions } from './server.ts';
export { createStore, type Store, type SiteRecord, type UserRecord } from './store.ts';
export { hashPassword } from './auth/passwords.ts';
export { makeSelfSignedCert, type SelfSignedCert } from './testing/self-signed-cert.ts';
