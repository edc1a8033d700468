/**
 * Process entry point of the container: reads the configuration from the environment, listens on
 * 0.0.0.0:PORT and shuts down gracefully on SIGTERM (ECS) or SIGINT (Ctrl-C).
 */
import { ConfigError, loadConfig } from './config';
import { Logger, errorMessage } from './logger';
import { createServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    const logger = new Logger(process.env.SERVICE_NAME || 'mcp-server', 'ERROR');
    logger.error('config_invalid', errorMessage(err, 2000), {
      error_type: 'validation_error',
      problems: err instanceof ConfigError ? err.problems : undefined,
    });
    process.exit(78); // EX_CONFIG
  }
  const logger = new Logger(config.serviceName, config.logLevel);
  const server = createServer(config);

  const stop = (signal: NodeJS.Signals): void => {
    // Failsafe: shutdown is bounded (grace period, then forced closes and timed dependency closes);
    // should anything still hang, exit before the container's stopTimeout ends in SIGKILL.
    setTimeout(() => {
      logger.error('shutdown_timeout', 'shutdown did not finish in time; exiting', { error_type: 'timeout' });
      process.exit(1);
    }, config.shutdownGraceMs + 5_000).unref();
    server.shutdown(signal).then(
      () => process.exit(0),
      (err) => {
        logger.error('shutdown_failed', errorMessage(err), { error_type: 'internal_error' });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled_rejection', errorMessage(reason), { error_type: 'internal_error' });
  });
  process.on('uncaughtException', (err) => {
    logger.error('uncaught_exception', errorMessage(err), {
      error_type: 'internal_error',
      stack: err.stack?.split('\n').slice(0, 10).join('\n'),
    });
    process.exit(1);
  });

  await server.listen(config.port, '0.0.0.0');
}

main().catch((err) => {
  new Logger(process.env.SERVICE_NAME || 'mcp-server', 'ERROR').error('startup_failed', errorMessage(err), {
    error_type: 'internal_error',
  });
  process.exit(1);
});
