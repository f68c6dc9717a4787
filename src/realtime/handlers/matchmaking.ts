import { ClientError } from '../../errors';
import { decideAgeGroup } from '../../safety/age-gate';
import type { ClientSocket, RealtimeContext } from '../context';
import { claimedRoom, partnerIn } from '../membership';
import { fileReport } from '../reports';
import type { PayloadOf } from '../schemas';

async function assertMayQueue(ctx: RealtimeContext, socket: ClientSocket): Promise<void> {
  if (!ctx.accepting()) throw new ClientError('SHUTTING_DOWN');
  const now = Date.now();
  const ban = await ctx.services.moderation.activeBan(socket.data.userId, socket.data.ipHash, now);
  if (ban?.mode === 'hard') throw new ClientError('BANNED', undefined, ban.until - now);
  // A shadow ban is not told: the user queues as usual, in a pool of their own kind.
  socket.data.shadowBanned = ban?.mode === 'shadow';
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
  await ctx.services.pairs.block(socket.data, partner, Date.now());
  await ctx.pairing.endRoom(room, socket.data.userId, 'left');
}

/** Blocks the pair, ends the room, and files the report (see reports.ts for how it counts). */
export async function report(ctx: RealtimeContext, socket: ClientSocket, payload: PayloadOf<'report'>): Promise<void> {
  const room = await claimedRoom(ctx, socket, payload.roomId);
  const reported = partnerIn(room, socket.data.userId);
  const reporter = partnerIn(room, reported.userId);
  const now = Date.now();
  // Read before the room ends: whether the reported user wrote decides if the report counts.
  const history = await ctx.history.read(room.id);
  await ctx.services.pairs.block(socket.data, reported, now);
  await ctx.safety.botCheck?.suspect(reported.ipHash, now);
  // Filed before the room ends, so a ban is in force by the time the reported user is told.
  await fileReport(ctx, { room, reporter, reported, payload, history, now });
  await ctx.pairing.endRoom(room, socket.data.userId, 'left');
}
