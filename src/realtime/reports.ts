import { v4 as uuidv4 } from 'uuid';
import type { Ban, Report } from '../domain/moderation';
import type { ChatMessage, Participant, Room } from '../domain/types';
import type { RealtimeContext } from './context';
import type { PayloadOf } from './schemas';

/** Why a report did not count toward an automatic ban (it is still kept for moderators). */
export type UncountedReport = 'short_room' | 'same_address';
export const UNCOUNTED_REPORTS: readonly UncountedReport[] = ['short_room', 'same_address'];

export interface FiledReport {
  room: Room;
  reporter: Participant;
  reported: Participant;
  payload: PayloadOf<'report'>;
  /** The room's messages, read before the room ended. */
  history: ChatMessage[];
  now: number;
}

/**
 * One attacker must not be able to aim a ban: a report counts only when the reporter spent time
 * with the reported user (the room lasted REPORT_MIN_ROOM_MS or the reported user wrote), and
 * only from an address other than the reported user's own.
 */
function whyUncounted(
  ctx: RealtimeContext,
  { room, reporter, reported, history, now }: FiledReport,
): UncountedReport | undefined {
  if (reporter.ipHash === reported.ipHash) return 'same_address';
  const spentTime = now - room.createdAt >= ctx.config.moderation.reportMinRoomMs;
  if (!spentTime && !history.some((message) => message.sender === reported.userId)) return 'short_room';
  return undefined;
}

/**
 * Keeps the report for moderators (when the admin API is on), counts it by reporter address, and
 * bans the reported user once enough distinct addresses reported them. `details` is never logged.
 */
export async function fileReport(ctx: RealtimeContext, filed: FiledReport): Promise<void> {
  const { room, reporter, reported, payload, now } = filed;
  ctx.totals.reports += 1;
  const report = reportRecord(filed, ctx.config.moderation.reportEvidenceMessages);
  if (ctx.config.admin) await ctx.services.moderation.saveReport(report);
  ctx.reportWebhook?.send({ type: 'report', report });
  const uncounted = whyUncounted(ctx, filed);
  const addresses = uncounted
    ? undefined
    : await ctx.services.moderation.countVote({ reportedId: reported.userId, reporterIpHash: reporter.ipHash, at: now });
  if (uncounted) ctx.countUncountedReport(uncounted);
  ctx.logger.warn('user reported', {
    roomId: room.id,
    reporterId: reporter.userId,
    reportedId: reported.userId,
    reason: payload.reason,
    ...(uncounted ? { uncounted } : { addresses }),
  });
  if (addresses === undefined || addresses < ctx.config.moderation.banReportThreshold) return;
  const ban = automaticBan(ctx, reported, addresses, now);
  await applyBan(ctx, ban);
  ctx.reportWebhook?.send({ type: 'ban', ban });
}

/** With REPORT_EVIDENCE_MESSAGES > 0 the room's last messages go with the report, for moderators only. */
function reportRecord({ room, reporter, reported, payload, history, now }: FiledReport, evidenceMessages: number): Report {
  return {
    id: uuidv4(),
    at: now,
    reason: payload.reason,
    ...(payload.details ? { details: payload.details } : {}),
    roomId: room.id,
    reporterId: reporter.userId,
    reportedId: reported.userId,
    reportedIpHash: reported.ipHash,
    status: 'open',
    ...(evidenceMessages > 0 ? { evidence: history.slice(-evidenceMessages) } : {}),
  };
}

function automaticBan(ctx: RealtimeContext, reported: Participant, addresses: number, now: number): Ban {
  const { banDurationMs, banIpReportThreshold } = ctx.config.moderation;
  return {
    id: uuidv4(),
    userId: reported.userId,
    // One address can hide many people: its hash is banned only on reports from several others.
    ...(addresses >= banIpReportThreshold ? { ipHash: reported.ipHash } : {}),
    until: now + banDurationMs,
    reason: `reported from ${addresses} addresses`,
    mode: ctx.config.safety.banMode,
    actor: 'auto',
    at: now,
  };
}

/** Records a ban (automatic or a moderator's) and its audit entry. */
export async function applyBan(ctx: RealtimeContext, ban: Ban): Promise<void> {
  await ctx.services.moderation.addBan(ban);
  await ctx.services.moderation.appendAudit({
    at: ban.at,
    actor: ban.actor,
    action: 'ban',
    target: banTarget(ban),
    reason: ban.reason,
  });
  ctx.totals.bans += 1;
  ctx.logger.warn('user banned', {
    banId: ban.id,
    userId: ban.userId,
    ipHash: ban.ipHash,
    mode: ban.mode,
    actor: ban.actor,
    untilMs: ban.until,
  });
}

export function banTarget(ban: Pick<Ban, 'userId' | 'ipHash'>): string {
  return [ban.userId && `user:${ban.userId}`, ban.ipHash && `ip:${ban.ipHash}`].filter(Boolean).join(' ');
}
