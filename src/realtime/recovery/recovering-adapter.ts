import type { Namespace } from 'socket.io';
import { ClusterAdapter, MessageType, type Adapter, type BroadcastOptions, type Session } from 'socket.io-adapter';
import type { Logger } from '../../logger';
import { GraceSessions, type RecoveryLimits, type RecoveryReplay, type RecoveryStats } from './grace-sessions';
import type { SessionStore } from './session-store';

export type AdapterFactory = (nsp: Namespace) => Adapter;

/** Socket.io's event packet type (socket.io-parser PacketType.EVENT). */
const EVENT_PACKET = 2;

/** A chat room holds two users: with both on this node nobody else needs its packets. */
const ROOM_SIZE = 2;

export interface RecoveryOptions extends RecoveryLimits {
  store: SessionStore;
  stats: RecoveryStats;
  logger: Logger;
  replay: RecoveryReplay;
}

interface EventPacket {
  type: number;
  data: unknown[];
  id?: number;
}

interface ClusterInternals {
  uid: string;
  onMessage(message: { type: number; uid?: string; data?: unknown }, offset?: string): void;
  publish(message: { type: number; data: unknown }): void;
}

interface EncodedBroadcast {
  packet: EventPacket;
  requestId?: string;
  opts: { rooms: string[]; except: string[]; flags?: BroadcastOptions['flags'] };
}

function keepsForAbsentees(packet: EventPacket, opts: BroadcastOptions): boolean {
  return packet.type === EVENT_PACKET && packet.id === undefined && !opts.flags?.volatile;
}

/**
 * Socket.io connection state recovery without keeping every packet: Socket.io's handshake (pid in
 * CONNECT, `socket.recovered`, rooms and `socket.data` restored) with sessions that exist only for
 * users inside their grace (GraceSessions). On a cluster adapter it also delivers the packets of a
 * room that lives entirely on this node without publishing them, and captures the packets other
 * nodes send to the rooms of users who dropped from here.
 */
export function withRecovery(base: AdapterFactory, options: RecoveryOptions): AdapterFactory {
  // Socket.io calls the factory with `new`, so it must be a plain function returning the adapter.
  return function createRecoveringAdapter(nsp) {
    const adapter = base(nsp);
    const { broadcast, delAll, delSockets, close } = adapter;
    const cluster = adapter instanceof ClusterAdapter ? (adapter as unknown as ClusterInternals) : undefined;
    const sessions = new GraceSessions(options.store, options, options.stats, options.logger, options.replay, (sid) => {
      if (!nsp.sockets.has(sid)) delAll.call(adapter, sid);
    });

    const livesHere = (opts: BroadcastOptions): boolean => {
      if (opts.rooms.size !== 1) return false;
      const [room] = opts.rooms as Set<string>;
      return adapter.sids.has(room!) || (adapter.rooms.get(room!)?.size ?? 0) >= ROOM_SIZE;
    };

    adapter.persistSession = (session) => sessions.persist(session);
    // Socket.io treats a null session as none (a fresh socket), though the type does not say so.
    adapter.restoreSession = (pid, offset) => sessions.take(pid, offset) as Promise<Session>;
    // A held socket id stays in its rooms: this node keeps receiving their packets for it.
    adapter.delAll = (id) => {
      if (!sessions.holds(id)) delAll.call(adapter, id);
    };
    adapter.broadcast = (packet: EventPacket, opts: BroadcastOptions) => {
      const offset = packet.type === EVENT_PACKET ? options.replay.offsetOf(packet.data) : undefined;
      if (offset !== undefined) packet.data.push(offset);
      const local = cluster && !opts.flags?.local && livesHere(opts);
      const sent = local ? { ...opts, flags: { ...opts.flags, local: true } } : opts;
      if (!sessions.empty && keepsForAbsentees(packet, opts)) {
        // Sent only here, yet the absentee came back on another node: hand the packet on.
        const onGone = local
          ? () => cluster.publish({ type: MessageType.BROADCAST, data: encodeBroadcast(packet, opts) })
          : undefined;
        sessions.capture(packet.data, opts.rooms as Set<string>, opts.except as Set<string> | undefined, onGone);
      }
      return broadcast.call(adapter, packet, sent);
    };
    const closesRoom = (opts: BroadcastOptions, rooms: string[]): string | undefined => {
      const [room] = rooms;
      return rooms.length === 1 && opts.rooms.size === 1 && opts.rooms.has(room!) && !opts.except?.size ? room : undefined;
    };
    const noteClosed = (room: string | undefined) => {
      if (room === undefined || sessions.empty) return;
      for (const sid of sessions.roomClosed(room)) void adapter.del(sid, room);
    };
    adapter.delSockets = (opts: BroadcastOptions, rooms: string[]) => {
      noteClosed(closesRoom(opts, rooms));
      return delSockets.call(adapter, opts, rooms);
    };
    adapter.close = () => {
      sessions.close();
      return close.call(adapter);
    };

    if (cluster) {
      const { onMessage } = cluster;
      // Offsets are not used: without this the cluster adapter appends one to every packet.
      Object.assign(adapter, { addOffsetIfNecessary: () => {} });
      cluster.onMessage = (message, offset) => {
        if (!sessions.empty && message.type === MessageType.BROADCAST && message.uid !== cluster.uid) {
          const { packet, requestId, opts } = message.data as EncodedBroadcast;
          const decoded: BroadcastOptions = { rooms: new Set(opts.rooms), except: new Set(opts.except), flags: opts.flags };
          if (requestId === undefined && keepsForAbsentees(packet, decoded))
            sessions.capture(packet.data, opts.rooms, decoded.except);
        }
        if (message.type === MessageType.SOCKETS_LEAVE && message.uid !== cluster.uid) {
          const { opts, rooms } = message.data as { opts: EncodedBroadcast['opts']; rooms: string[] };
          noteClosed(closesRoom({ rooms: new Set(opts.rooms), except: new Set(opts.except) }, rooms));
        }
        onMessage.call(adapter, message, offset);
      };
    }
    return adapter;
  };
}

function encodeBroadcast(packet: EventPacket, opts: BroadcastOptions): EncodedBroadcast {
  return {
    packet,
    opts: {
      rooms: [...(opts.rooms as Set<string>)],
      except: [...((opts.except as Set<string> | undefined) ?? [])],
      flags: opts.flags,
    },
  };
}
