import { v4 as uuidv4 } from 'uuid';
import { ERROR_CATALOGUE } from '../../errors';
import type { Ban, BanMode } from '../../domain/moderation';
import type { RealtimeContext } from '../../realtime/context';
import { applyBan, banTarget } from '../../realtime/reports';

/** What a moderator did, for the audit log and the server log. */
interface Action {
  actor: string;
  reason?: string;
}

async function audit(ctx: RealtimeContext, { actor, reason }: Action, action: string, target: string): Promise<void> {
  await ctx.services.moderation.appendAudit({ at: Date.now(), actor, action, target, ...(reason ? { reason } : {}) });
  ctx.logger.info('moderator action', { actor, action, target });
}

export interface BanRequest {
  userId?: string;
  ipHash?: string;
  durationMs: number;
  reason: string;
  mode?: BanMode;
}

export async function banByModerator(ctx: RealtimeContext, request: BanRequest, actor: string): Promise<Ban> {
  const now = Date.now();
  const ban: Ban = {
    id: uuidv4(),
    ...(request.userId ? { userId: request.userId } : {}),
    ...(request.ipHash ? { ipHash: request.ipHash } : {}),
    until: now + request.durationMs,
    reason: request.reason,
    mode: request.mode ?? ctx.config.safety.banMode,
    actor,
    at: now,
  };
  await applyBan(ctx, ban);
  return ban;
}

export async function liftBan(ctx: RealtimeContext, banId: string, action: Action): Promise<Ban | undefined> {
  const ban = await ctx.services.moderation.liftBan(banId, Date.now());
  if (ban) await audit(ctx, action, 'unban', banTarget(ban));
  return ban;
}

export async function dismissReport(ctx: RealtimeContext, reportId: string, action: Action) {
  const report = await ctx.services.moderation.dismissReport(reportId, Date.now());
  if (report) await audit(ctx, action, 'dismiss_report', `report:${report.id}`);
  return report;
}

/**
 * The ids of the user's sockets anywhere in the cluster. A user in a room is found through the room
 * store; anyone else by asking every node (a rare, moderator-only cost).
 */
async function socketsOf(ctx: RealtimeContext, userId: string): Promise<string[]> {
  const room = await ctx.services.rooms.roomOf(userId);
  const inRoom = room?.users.find((user) => user.userId === userId);
  if (inRoom) return [inRoom.socketId];
  const sockets = await ctx.io.fetchSockets();
  return sockets.filter((socket) => socket.data.userId === userId).map((socket) => socket.id);
}

/**
 * Tells the user KICKED and disconnects them, on whichever node they are: the adapter carries the
 * emit and the disconnect to the socket's node, in that order. Their partner is told the room ended
 * as if they had left. Resolves how many sockets were found.
 */
export async function kickUser(ctx: RealtimeContext, userId: string, action: Action): Promise<number> {
  const socketIds = await socketsOf(ctx, userId);
  if (socketIds.length === 0) return 0;
  const room = await ctx.services.rooms.roomOf(userId);
  if (room) await ctx.pairing.endRoom(room, userId, 'left');
  ctx.io.to(socketIds).emit('error', { code: 'KICKED', message: ERROR_CATALOGUE.KICKED.message });
  ctx.io.in(socketIds).disconnectSockets(true);
  await audit(ctx, action, 'kick', `user:${userId}`);
  return socketIds.length;
}

/** Ends the room for both users (each told partner_disconnected); false when there is no such room. */
export async function closeRoom(ctx: RealtimeContext, roomId: string, action: Action): Promise<boolean> {
  const room = await ctx.services.rooms.get(roomId);
  if (!room || !(await ctx.pairing.endRoom(room, undefined, 'left'))) return false;
  await audit(ctx, action, 'close_room', `room:${roomId}`);
  return true;
}
