import winston from 'winston';
import type { Config } from './config';

export type Logger = winston.Logger;

/** Error values in a log call's context keep their stack: JSON would otherwise write them as `{}`. */
export const serializeErrors = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) info[key] = { name: value.name, message: value.message, stack: value.stack };
  }
  return info;
});

/** JSON in production, readable in development, silent in tests (unless LOG_LEVEL is set there). */
export function createLogger(config: Pick<Config, 'nodeEnv' | 'logLevel' | 'logLevelExplicit'>): Logger {
  const readable = winston.format.combine(
    serializeErrors(),
    winston.format.colorize(),
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.printf(({ timestamp, level, message, ...meta }) => {
      const context = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
      return `${String(timestamp)} ${level} ${String(message)}${context}`;
    }),
  );
  const json = winston.format.combine(serializeErrors(), winston.format.timestamp(), winston.format.json());
  const logger = winston.createLogger({
    level: config.logLevel,
    silent: config.nodeEnv === 'test' && !config.logLevelExplicit,
    format: config.nodeEnv === 'production' ? json : readable,
    transports: [new winston.transports.Console()],
  });
  // winston formats a message before it filters by level; with the level fixed at start-up, calls
  // below it become no-ops, so per-connection debug logs cost nothing when debug is off.
  for (const level of Object.keys(winston.config.npm.levels)) {
    if (!logger.isLevelEnabled(level)) Object.assign(logger, { [level]: () => logger });
  }
  return logger;
}
