import type { ChatMessage, SessionType } from '../contract/events';

export const SESSION_TYPES: readonly SessionType[] = ['chat', 'video'];

/** A user as the matchmaker sees them: anonymous id, where to reach them, what they want. */
export interface WaitingUser {
  userId: string;
  socketId: string;
  nodeId: string;
  /** Salted hash of the client IP, so a ban can outlive the anonymous id. */
  ipHash: string;
  type: SessionType;
  /** The queue partition (see poolKey): users of different pools are never paired. */
  pool: string;
  interests: string[];
  language?: string;
  /** When the user first asked for a partner; fallback and fairness are measured from here. */
  enqueuedAt: number;
}

export interface Match {
  partner: WaitingUser;
  commonInterests: string[];
}

export type Participant = Pick<WaitingUser, 'userId' | 'socketId' | 'nodeId' | 'ipHash'>;

export interface Room {
  id: string;
  type: SessionType;
  users: [Participant, Participant];
  createdAt: number;
}

export type CountsByType = Record<SessionType, number>;

export function zeroCounts(): CountsByType {
  return { chat: 0, video: 0 };
}

export type { ChatMessage, SessionType };
