import type { ChatMessage } from './types';
import type { ReportReason } from '../contract/events';

export type ReportStatus = 'open' | 'dismissed';
export type BanMode = 'hard' | 'shadow';

/** A report as moderators see it. `details` and `evidence` are user text: stored, never logged. */
export interface Report {
  id: string;
  at: number;
  reason: ReportReason;
  details?: string;
  roomId: string;
  reporterId: string;
  reportedId: string;
  reportedIpHash: string;
  status: ReportStatus;
  /** The room's last messages, only when REPORT_EVIDENCE_MESSAGES > 0. */
  evidence?: ChatMessage[];
}

/**
 * One report as it counts toward an automatic ban: distinct reporters are distinct salted IP
 * hashes, and only reporters who spent time with the reported user count at all.
 */
export interface ReportVote {
  reportedId: string;
  reporterIpHash: string;
  at: number;
}

/** A ban on an anonymous id, a salted IP hash, or both. Automatic bans have actor 'auto'. */
export interface Ban {
  id: string;
  userId?: string;
  ipHash?: string;
  until: number;
  reason: string;
  mode: BanMode;
  actor: string;
  at: number;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string;
  reason?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next (older) page. Absent on the last page. */
  nextCursor?: string;
}

export interface ReportQuery {
  limit: number;
  cursor?: string;
  status: ReportStatus | 'all';
  reportedId?: string;
}

/** Reports, bans and the audit trail. Never holds a raw IP. Every list is newest first. */
export interface ModerationStore {
  /**
   * Counts a qualifying report and returns how many distinct reporter addresses reported
   * `reportedId` within the window (the latest vote of each address counts).
   */
  countVote(vote: ReportVote): Promise<number>;
  /** Keeps the report for the retention period (reports are only kept while moderators can read them). */
  saveReport(report: Report): Promise<void>;
  listReports(query: ReportQuery, now: number): Promise<Page<Report> & { total: number }>;
  getReport(id: string, now: number): Promise<Report | undefined>;
  /** Marks the report dismissed and drops its evidence; undefined when it does not exist (any more). */
  dismissReport(id: string, now: number): Promise<Report | undefined>;

  /** Records the ban and clears the votes against its user. */
  addBan(ban: Ban): Promise<void>;
  /** Removes the ban; undefined when it does not exist or has ended. */
  liftBan(id: string, now: number): Promise<Ban | undefined>;
  listBans(now: number): Promise<Ban[]>;
  /** The ban of this id or this IP hash that lasts longest, if any is running at `now`. */
  activeBan(userId: string, ipHash: string, now: number): Promise<Ban | undefined>;

  /** Bounded: the oldest entries fall off past the configured length. */
  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(limit: number, cursor?: string): Promise<Page<AuditEntry>>;
}

export interface ModerationLimits {
  /** Votes against a user are counted over this window. */
  voteWindowMs: number;
  /** Reports (with their details and evidence) are deleted after this long. */
  reportRetentionMs: number;
  /** Audit entries kept. */
  auditLength: number;
}
