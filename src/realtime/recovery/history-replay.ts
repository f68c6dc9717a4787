import type { Services } from '../../domain/services';
import type { RoomHistory } from '../room-history';
import type { SocketData } from '../context';
import type { ChatMessage, SessionInfo } from '../../contract/events';
import type { RecoveryReplay, SessionToPersist } from './grace-sessions';

/**
 * socket.io-client sends its session id back only with a string offset: the last string argument
 * of an event it received. A fresh session's `session` event carries this one, so every client can
 * come back; a recovered session's does not, so the client keeps the offset it had.
 */
const FRESH_SESSION_OFFSET = 'session';

function offsetOf(data: unknown[]): string | undefined {
  if (data[0] === 'new_message') return (data[1] as ChatMessage).id;
  if (data[0] === 'session' && !(data[1] as SessionInfo).recovered) return FRESH_SESSION_OFFSET;
  return undefined;
}

/**
 * Chat messages carry their id as the offset, so a returning user gets the room's history after the
 * last message they received: what reached a connection that had already dropped, unnoticed, is not
 * lost. An offset not in the history (none received in this room) replays all of it.
 */
export function historyReplay(services: Services, roomHistory: RoomHistory): RecoveryReplay {
  return {
    offsetOf,
    async sentAfter(session: SessionToPersist, offset: string) {
      const { userId, label } = session.data as SocketData;
      const room = await services.rooms.roomOf(userId);
      if (!room || !session.rooms.includes(room.id)) return [];
      const history = await roomHistory.read(room.id);
      const received = history.findIndex((message) => message.id === offset);
      // The user's own messages come back as their own copy (see handlers/chat.ts).
      const asDelivered = (message: ChatMessage) =>
        message.sender === userId ? { ...message, sender: label ?? message.sender, self: true } : message;
      return history.slice(received + 1).map((message) => ['new_message', asDelivered(message), message.id]);
    },
  };
}
