import { ClientError } from '../../errors';
import { decideAgeGroup } from '../../safety/age-gate';
import type { ClientSocket, RealtimeContext } from '../context';
import { claimedRoom, partnerIn } from '../membership';
import type { PayloadOf } from '../schemas';

async function assertMayQueue(ctx: RealtimeContext, socket: ClientSocket): Promise<void> {
  if (!ctx.accepting()) throw new ClientError('SHUTTING_DOWN');
  const banMs = await ctx.services.moderation.banRemaining(socket.data.userId, socket.data.ipHash, Date.now());
  if (banMs > 0) throw new ClientError('BANNED', undefined, banMs);
  if (await ctx.services.queue.isWaiting(socket.data.userId)) throw new ClientError('ALREADY_QUEUED');
}

/** Ends the user's current room, if any, as a skip. */
async function skipCurrentRoom(ctx: RealtimeContext, socket: ClientSocket): Promise<void> {
  const room = await ctx.services.rooms.roomOf(socket.data.userId);
  if (room) await ctx.pairing.endRoom(room, socket.data.userId, 'skipped');
}

/** AGE_GATE: fixes the connection's age group at its first declaration and refuses a join it bars. */
function admitAgeGroup(ctx: RealtimeContext, socket: ClientSocket, declared: PayloadOf<'join'>['ageGroup']): void {
  const { locked, refusal } = decideAgeGroup(ctx.config.safety.ageGate, socket.data.ageGroup, declared);
  if (locked) socket.data.ageGroup = locked;
  if (refusal) throw new ClientError(refusal);
}

/** join while paired skips to a new partner; join while waiting is refused with ALREADY_QUEUED. */
export async function join(ctx: RealtimeContext, socket: ClientSocket, payload: PayloadOf<'join'>): Promise<void> {
  admitAgeGroup(ctx, socket, payload.ageGroup);
  await assertMayQueue(ctx, socket);
  await skipCurrentRoom(ctx, socket);
  socket.data.label = payload.userId || undefined;
  socket.data.lastJoin = { type: payload.type, ...payload.preferences };
  await ctx.pairing.requestPartner(socket, socket.data.lastJoin);
}

/** Skip: end the room and queue again with the same type and preferences, in one step. */
export async function next(ctx: RealtimeContext, socket: ClientSocket): Promise<void> {
  const { lastJoin } = socket.data;
  if (!lastJoin) throw new ClientError('JOIN_FIRST');
  await assertMayQueue(ctx, socket);
  await skipCurrentRoom(ctx, socket);
  await ctx.pairing.requestPartner(socket, lastJoin);
}

export async function leaveQueue(ctx: RealtimeContext, socket: ClientSocket): Promise<void> {
  ctx.pairing.stopWaiting(socket.data.userId);
  if (!(await ctx.services.queue.remove(socket.data.userId))) throw new ClientError('NOT_QUEUED');
}

export async function leaveRoom(ctx: RealtimeContext, socket: ClientSocket, { roomId }: PayloadOf<'leave_room'>): Promise<void> {
  const room = await claimedRoom(ctx, socket, roomId);
  await ctx.pairing.endRoom(room, socket.data.userId, 'left');
}

export async function block(ctx: RealtimeContext, socket: ClientSocket, { roomId }: PayloadOf<'block'>): Promise<void> {
  const room = await claimedRoom(ctx, socket, roomId);
  const partner = partnerIn(room, socket.data.userId);
  await ctx.services.pairs.block(socket.data.userId, partner.userId, Date.now());
  await ctx.pairing.endRoom(room, socket.data.userId, 'left');
}

/** Blocks the pair, counts the report, and bans the reported user at the threshold. */
export async function report(ctx: RealtimeContext, socket: ClientSocket, payload: PayloadOf<'report'>): Promise<void> {
  const room = await claimedRoom(ctx, socket, payload.roomId);
  const reported = partnerIn(room, socket.data.userId);
  const now = Date.now();
  await ctx.services.pairs.block(socket.data.userId, reported.userId, now);
  await ctx.pairing.endRoom(room, socket.data.userId, 'left');
  const reporters = await ctx.services.moderation.recordReport(reported.userId, socket.data.userId, now);
  ctx.totals.reports += 1;
  ctx.logger.warn('user reported', {
    roomId: room.id,
    reporterId: socket.data.userId,
    reportedId: reported.userId,
    reason: payload.reason,
    details: payload.details,
    reporters,
  });
  const { banReportThreshold, banDurationMs } = ctx.config.moderation;
  if (reporters < banReportThreshold) return;
  await ctx.services.moderation.ban(reported.userId, reported.ipHash, now + banDurationMs);
  ctx.totals.bans += 1;
  ctx.logger.warn('user banned', { userId: reported.userId, reporters, untilMs: now + banDurationMs });
}
