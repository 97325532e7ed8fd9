import { ConfigError, loadConfig } from './config.ts';
import { createLogger, runServer } from './server.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Samepage cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const log = createLogger(config);
  const server = await runServer(config, log);
  const lines = [
    '',
    `  Samepage is running at ${server.url}`,
    `    Agent console:  ${server.url}/console`,
    `    Demo shop:      ${server.url}/`,
    `    Data:           ${config.dataDir}`,
  ];
  if (server.boot.generatedPassword) {
    lines.push(`    Admin login:    ${server.boot.adminEmail} / ${server.boot.generatedPassword}`, '                    (generated on first start and shown only now; set ADMIN_PASSWORD to choose one)');
  } else {
    lines.push(`    Admin login:    ${server.boot.adminEmail}${config.adminPassword ? ' (password from ADMIN_PASSWORD)' : ' (password printed on first start)'}`);
  }
  console.log(lines.join('\n') + '\n');
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('Samepage failed to start:', err);
  process.exit(1);
});
