import type { ChatMessage, CountsByType, Participant, Room, SessionType } from './types';

/** Rooms of exactly two users. A user is in at most one room. */
export interface RoomManager {
  create(type: SessionType, a: Participant, b: Participant, now: number): Promise<Room>;
  get(roomId: string): Promise<Room | undefined>;
  roomOf(userId: string): Promise<Room | undefined>;
  /** Idempotent: resolves the room only for the call that closed it, so one caller notifies. */
  close(roomId: string): Promise<Room | undefined>;
  /** Keeps the newest messages, up to the configured history limit. */
  appendMessage(roomId: string, message: ChatMessage): Promise<void>;
  history(roomId: string): Promise<ChatMessage[]>;
  counts(): Promise<CountsByType>;
  /** Rooms that have a participant on `nodeId` (for cleaning up after a dead node). */
  roomsOfNode(nodeId: string): Promise<Room[]>;
}
