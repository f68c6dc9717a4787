import winston from 'winston';
import type { Config } from './config';

export type Logger = winston.Logger;

/** JSON in production, readable in development, silent in tests (unless LOG_LEVEL is set there). */
export function createLogger(config: Pick<Config, 'nodeEnv' | 'logLevel' | 'logLevelExplicit'>): Logger {
  const readable = winston.format.combine(
    winston.format.colorize(),
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.printf(({ timestamp, level, message, ...meta }) => {
      const context = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
      return `${String(timestamp)} ${level} ${String(message)}${context}`;
    }),
  );
  const json = winston.format.combine(winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level: config.logLevel,
    silent: config.nodeEnv === 'test' && !config.logLevelExplicit,
    format: config.nodeEnv === 'production' ? json : readable,
    transports: [new winston.transports.Console()],
  });
}
