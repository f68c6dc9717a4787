import { v4 as uuidv4 } from 'uuid';
import type { RoomManager } from '../room-manager';
import { zeroCounts, type ChatMessage, type CountsByType, type Participant, type Room, type SessionType } from '../types';

interface StoredRoom {
  room: Room;
  messages: ChatMessage[];
}

export class MemoryRoomManager implements RoomManager {
  private readonly rooms = new Map<string, StoredRoom>();
  private readonly roomIdByUser = new Map<string, string>();
  private readonly roomCounts = zeroCounts();

  constructor(private readonly historyLimit: number) {}

  async create(type: SessionType, a: Participant, b: Participant, now: number): Promise<Room> {
    const room: Room = { id: uuidv4(), type, users: [a, b], createdAt: now };
    this.rooms.set(room.id, { room, messages: [] });
    this.roomIdByUser.set(a.userId, room.id);
    this.roomIdByUser.set(b.userId, room.id);
    this.roomCounts[type] += 1;
    return room;
  }

  async get(roomId: string): Promise<Room | undefined> {
    return this.rooms.get(roomId)?.room;
  }

  async roomOf(userId: string): Promise<Room | undefined> {
    const roomId = this.roomIdByUser.get(userId);
    return roomId === undefined ? undefined : this.rooms.get(roomId)?.room;
  }

  async close(roomId: string): Promise<Room | undefined> {
    const stored = this.rooms.get(roomId);
    if (!stored) return undefined;
    this.rooms.delete(roomId);
    this.roomCounts[stored.room.type] -= 1;
    for (const user of stored.room.users) {
      if (this.roomIdByUser.get(user.userId) === roomId) this.roomIdByUser.delete(user.userId);
    }
    return stored.room;
  }

  async appendMessage(roomId: string, message: ChatMessage): Promise<void> {
    const stored = this.rooms.get(roomId);
    if (!stored || this.historyLimit === 0) return;
    stored.messages.push(message);
    if (stored.messages.length > this.historyLimit) stored.messages.shift();
  }

  async history(roomId: string): Promise<ChatMessage[]> {
    return [...(this.rooms.get(roomId)?.messages ?? [])];
  }

  async counts(): Promise<CountsByType> {
    return { ...this.roomCounts };
  }

  async roomsOfNode(nodeId: string): Promise<Room[]> {
    return [...this.rooms.values()].map(({ room }) => room).filter((room) => room.users.some((user) => user.nodeId === nodeId));
  }
}
