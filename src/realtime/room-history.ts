import type { ChatMessage } from '../contract/events';
import type { RoomManager } from '../domain/room-manager';
import type { RealtimeServer } from './context';

/**
 * A room's chat history, read for report evidence and for what a returning user missed.
 *
 * In a cluster, a room whose members are both connected to this node keeps its history here, so its
 * messages cost Redis nothing. Everything else goes to the room store, where any node reads it; and
 * what was kept here is written there as soon as a member drops, because the node that member comes
 * back to must find it. In memory mode the room store is memory already and is used directly. What is
 * kept here goes when the room ends on this node (its Socket.io room is deleted), like the store's.
 */
export class RoomHistory {
  private readonly kept = new Map<string, ChatMessage[]>();
  private nodeLocal: (roomId: string) => boolean = () => false;

  constructor(
    private readonly rooms: RoomManager,
    private readonly limit: number,
    private readonly keepNodeLocal: boolean,
  ) {}

  /** Learns where the room's members are, and forgets a room once it is gone from this node. */
  attach(io: RealtimeServer): void {
    if (!this.keepNodeLocal) return;
    const namespace = io.of('/');
    this.nodeLocal = (roomId) => {
      const members = namespace.adapter.rooms.get(roomId);
      if (!members || members.size < 2) return false;
      for (const sid of members) if (!namespace.sockets.has(sid)) return false;
      return true;
    };
    namespace.adapter.on('delete-room', (roomId: string) => this.kept.delete(roomId));
  }

  async append(roomId: string, message: ChatMessage): Promise<void> {
    if (this.limit === 0) return;
    if (!this.nodeLocal(roomId)) return this.rooms.appendMessage(roomId, message);
    const messages = this.kept.get(roomId) ?? [];
    messages.push(message);
    if (messages.length > this.limit) messages.shift();
    this.kept.set(roomId, messages);
  }

  /** The room's last messages, oldest first, wherever they were kept. */
  async read(roomId: string): Promise<ChatMessage[]> {
    const stored = await this.rooms.history(roomId);
    const here = this.kept.get(roomId);
    if (!here) return stored;
    const byId = new Map([...stored, ...here].map((message) => [message.id, message]));
    return [...byId.values()].sort((a, b) => a.timestamp - b.timestamp).slice(-this.limit);
  }

  /** A member dropped: what only this node kept goes to the store, where any node can read it. */
  async share(roomId: string): Promise<void> {
    const here = this.kept.get(roomId);
    if (!here) return;
    this.kept.delete(roomId);
    await Promise.all(here.map((message) => this.rooms.appendMessage(roomId, message)));
  }
}
