/**
 * The catalogue of refusals a client can receive as `error {code, message, event?}`.
 * `level` is how loudly the server logs one: client mistakes are routine, not failures.
 */
export const ERROR_CATALOGUE = {
  INVALID_PAYLOAD: { message: 'The payload does not match the event schema', level: 'debug' },
  UNKNOWN_EVENT: { message: 'The server does not handle this event', level: 'debug' },
  NOT_IN_ROOM: { message: 'You are not in this room', level: 'debug' },
  ALREADY_QUEUED: { message: 'You are already waiting for a partner', level: 'debug' },
  NOT_QUEUED: { message: 'You are not waiting for a partner', level: 'debug' },
  JOIN_FIRST: { message: 'Join a queue first', level: 'debug' },
  RATE_LIMITED: { message: 'Too many events, slow down', level: 'info' },
  BANNED: { message: 'You are temporarily banned', level: 'info' },
  SHUTTING_DOWN: { message: 'The server is shutting down, reconnect shortly', level: 'info' },
  AGE_CONFIRMATION_REQUIRED: { message: 'Confirm your age group to join', level: 'debug' },
  AGE_GROUP_LOCKED: { message: 'Your age group cannot change on this connection', level: 'info' },
  MESSAGE_REJECTED: { message: 'This message cannot be sent', level: 'debug' },
  KICKED: { message: 'A moderator disconnected you', level: 'info' },
  BOT_CHECK_REQUIRED: { message: 'Complete the bot check to connect', level: 'debug' },
  BOT_CHECK_FAILED: { message: 'The bot check failed, try again', level: 'info' },
  UNAVAILABLE: { message: 'A dependency is unavailable, try again shortly', level: 'warn' },
  INTERNAL_ERROR: { message: 'Something went wrong on the server', level: 'error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** A refusal raised inside a handler; the guard turns it into an `error` event. */
export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}
