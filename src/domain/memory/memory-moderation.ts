import type { AuditEntry, Ban, ModerationLimits, ModerationStore, Page, Report, ReportQuery, ReportVote } from '../moderation';

interface StoredReport {
  seq: number;
  report: Report;
}

function matches(report: Report, query: ReportQuery): boolean {
  if (query.reportedId !== undefined && report.reportedId !== query.reportedId) return false;
  return query.status === 'all' || report.status === query.status;
}

function banTargets(ban: Ban): string[] {
  return [...(ban.userId === undefined ? [] : [`id:${ban.userId}`]), ...(ban.ipHash === undefined ? [] : [`ip:${ban.ipHash}`])];
}

export class MemoryModerationStore implements ModerationStore {
  /** reported id → reporter IP hash → time of its latest vote */
  private readonly votes = new Map<string, Map<string, number>>();
  /** oldest first; a report's position never changes */
  private reports: StoredReport[] = [];
  private readonly reportById = new Map<string, StoredReport>();
  private reportSeq = 0;
  private readonly bans = new Map<string, Ban>();
  /** `id:<userId>` / `ip:<ipHash>` → ids of the bans on it, so the join check is O(bans of one user) */
  private readonly bansOn = new Map<string, Set<string>>();
  /** ring of the newest `auditLength` entries, oldest first, each with its sequence number */
  private readonly audit: { seq: number; entry: AuditEntry }[] = [];
  private auditSeq = 0;

  constructor(private readonly limits: ModerationLimits) {}

  async countVote({ reportedId, reporterIpHash, at }: ReportVote): Promise<number> {
    let voters = this.votes.get(reportedId);
    if (!voters) this.votes.set(reportedId, (voters = new Map()));
    voters.set(reporterIpHash, at);
    for (const [ipHash, votedAt] of voters) if (votedAt <= at - this.limits.voteWindowMs) voters.delete(ipHash);
    return voters.size;
  }

  async saveReport(report: Report): Promise<void> {
    this.pruneReports(report.at);
    const stored = { seq: (this.reportSeq += 1), report: { ...report } };
    this.reports.push(stored);
    this.reportById.set(report.id, stored);
  }

  async listReports(query: ReportQuery, now: number): Promise<Page<Report> & { total: number }> {
    this.pruneReports(now);
    const before = query.cursor === undefined ? Infinity : Number(query.cursor);
    const matching = this.reports.filter(({ report }) => matches(report, query));
    const page = matching
      .filter(({ seq }) => seq < before)
      .reverse()
      .slice(0, query.limit);
    const last = page[page.length - 1];
    const more = last !== undefined && matching.some(({ seq }) => seq < last.seq);
    return {
      items: page.map(({ report }) => ({ ...report })),
      ...(more ? { nextCursor: String(last.seq) } : {}),
      total: matching.length,
    };
  }

  async getReport(id: string, now: number): Promise<Report | undefined> {
    this.pruneReports(now);
    const stored = this.reportById.get(id);
    return stored && { ...stored.report };
  }

  async dismissReport(id: string, now: number): Promise<Report | undefined> {
    this.pruneReports(now);
    const stored = this.reportById.get(id);
    if (!stored) return undefined;
    delete stored.report.evidence;
    stored.report.status = 'dismissed';
    return { ...stored.report };
  }

  async addBan(ban: Ban): Promise<void> {
    this.bans.set(ban.id, { ...ban });
    for (const target of banTargets(ban)) {
      let ids = this.bansOn.get(target);
      if (!ids) this.bansOn.set(target, (ids = new Set()));
      ids.add(ban.id);
    }
    if (ban.userId !== undefined) this.votes.delete(ban.userId);
  }

  async liftBan(id: string, now: number): Promise<Ban | undefined> {
    const ban = this.bans.get(id);
    if (ban) this.forgetBan(ban);
    return ban && ban.until > now ? ban : undefined;
  }

  async listBans(now: number): Promise<Ban[]> {
    this.pruneBans(now);
    return [...this.bans.values()].reverse().map((ban) => ({ ...ban }));
  }

  async activeBan(userId: string, ipHash: string, now: number): Promise<Ban | undefined> {
    let longest: Ban | undefined;
    for (const target of [`id:${userId}`, `ip:${ipHash}`]) {
      for (const banId of this.bansOn.get(target) ?? []) {
        const ban = this.bans.get(banId)!;
        if (ban.until <= now) this.forgetBan(ban);
        else if (!longest || ban.until > longest.until) longest = ban;
      }
    }
    return longest && { ...longest };
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push({ seq: (this.auditSeq += 1), entry: { ...entry } });
    if (this.audit.length > this.limits.auditLength) this.audit.shift();
  }

  async listAudit(limit: number, cursor?: string): Promise<Page<AuditEntry>> {
    const before = cursor === undefined ? Infinity : Number(cursor);
    const older = this.audit.filter(({ seq }) => seq < before).reverse();
    const page = older.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ entry }) => ({ ...entry })),
      ...(older.length > limit && last ? { nextCursor: String(last.seq) } : {}),
    };
  }

  /** Reports are stored in time order, so the expired ones are a prefix. */
  private pruneReports(now: number): void {
    const cutoff = now - this.limits.reportRetentionMs;
    const firstKept = this.reports.findIndex(({ report }) => report.at > cutoff);
    const expired = firstKept === -1 ? this.reports : this.reports.slice(0, firstKept);
    if (expired.length === 0) return;
    for (const { report } of expired) this.reportById.delete(report.id);
    this.reports = firstKept === -1 ? [] : this.reports.slice(firstKept);
  }

  private pruneBans(now: number): void {
    for (const ban of this.bans.values()) if (ban.until <= now) this.forgetBan(ban);
  }

  private forgetBan(ban: Ban): void {
    this.bans.delete(ban.id);
    for (const target of banTargets(ban)) {
      const ids = this.bansOn.get(target);
      ids?.delete(ban.id);
      if (ids?.size === 0) this.bansOn.delete(target);
    }
  }
}
