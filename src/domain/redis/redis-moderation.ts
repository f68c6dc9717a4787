import type { Redis } from 'ioredis';
import type { AuditEntry, Ban, ModerationLimits, ModerationStore, Page, Report, ReportQuery, ReportVote } from '../moderation';
import { DEFAULT_PREFIX, execChecked } from './keys';

/**
 * Layout (P = prefix):
 *   P mod:votes:<reportedId>     zset reporter IP hash → time of its latest vote (PX = window)
 *   P mod:report:<id>            string report JSON, PX until it expires (REPORT_RETENTION_MS)
 *   P mod:reports:{all,open,dismissed}, P mod:reports:of:<reportedId>
 *                                zsets of report ids, score = at * 1000 + a per-ms sequence
 *   P mod:ban:<id>               string ban JSON, PX until it ends
 *   P mod:bans                   zset ban id → end (ms)
 *   P mod:bans:on:id:<userId>, P mod:bans:on:ip:<ipHash>
 *                                zsets ban id → end (ms): the join check reads the longest one
 *   P mod:audit                  stream capped at the configured length
 * Stored times (the caller's `now`) are what count; key expiry only collects garbage.
 */
export class RedisModerationStore implements ModerationStore {
  constructor(
    private readonly redis: Redis,
    private readonly limits: ModerationLimits,
    private readonly prefix = DEFAULT_PREFIX,
  ) {}

  async countVote({ reportedId, reporterIpHash, at }: ReportVote): Promise<number> {
    const key = this.key(`votes:${reportedId}`);
    const replies = await this.redis
      .multi()
      .zadd(key, at, reporterIpHash)
      .zremrangebyscore(key, '-inf', at - this.limits.voteWindowMs)
      .zcard(key)
      .pexpire(key, this.limits.voteWindowMs)
      .exec();
    const [error, count] = replies?.[2] ?? [new Error('report vote transaction aborted'), 0];
    if (error) throw error;
    return Number(count);
  }

  async saveReport(report: Report): Promise<void> {
    const ttl = report.at + this.limits.reportRetentionMs - Date.now();
    if (ttl <= 0) return;
    const seq = await this.redis.incr(this.key('reports:seq'));
    const score = report.at * 1000 + (seq % 1000);
    const of = this.key(`reports:of:${report.reportedId}`);
    await execChecked(
      this.redis
        .multi()
        .set(this.reportKey(report.id), JSON.stringify(report), 'PX', Math.ceil(ttl))
        .zadd(this.key('reports:all'), score, report.id)
        .zadd(this.key(`reports:${report.status}`), score, report.id)
        .zadd(of, score, report.id)
        .pexpire(of, this.limits.reportRetentionMs),
    );
  }

  async listReports(query: ReportQuery, now: number): Promise<Page<Report> & { total: number }> {
    await this.pruneReports(now, query.reportedId);
    const max = query.cursor === undefined ? '+inf' : `(${Number(query.cursor)}`;
    if (query.reportedId !== undefined) return this.listReportsOf(query, max);
    const index = this.key(`reports:${query.status}`);
    const [ids, total] = await Promise.all([
      this.redis.zrevrangebyscore(index, max, '-inf', 'WITHSCORES', 'LIMIT', 0, query.limit + 1),
      this.redis.zcard(index),
    ]);
    return { ...(await this.page(pairs(ids), query.limit)), total };
  }

  async getReport(id: string): Promise<Report | undefined> {
    const json = await this.redis.get(this.reportKey(id));
    return json === null ? undefined : (JSON.parse(json) as Report);
  }

  async dismissReport(id: string): Promise<Report | undefined> {
    const [report, score] = await Promise.all([this.getReport(id), this.redis.zscore(this.key('reports:all'), id)]);
    if (!report || score === null) return undefined;
    delete report.evidence;
    report.status = 'dismissed';
    await execChecked(
      this.redis
        .multi()
        .set(this.reportKey(id), JSON.stringify(report), 'KEEPTTL')
        .zrem(this.key('reports:open'), id)
        .zadd(this.key('reports:dismissed'), score, id),
    );
    return report;
  }

  async addBan(ban: Ban): Promise<void> {
    const ttl = Math.ceil(ban.until - Date.now());
    if (ttl <= 0) return;
    const tx = this.redis
      .multi()
      .set(this.banKey(ban.id), JSON.stringify(ban), 'PX', ttl)
      .zadd(this.key('bans'), ban.until, ban.id);
    for (const target of this.banTargets(ban)) tx.zadd(target, ban.until, ban.id).pexpire(target, ttl, 'GT');
    // PEXPIRE GT leaves a key without a TTL alone, so a fresh target key needs its first one.
    for (const target of this.banTargets(ban)) tx.pexpire(target, ttl, 'NX');
    if (ban.userId !== undefined) tx.del(this.key(`votes:${ban.userId}`));
    await execChecked(tx);
  }

  async liftBan(id: string, now: number): Promise<Ban | undefined> {
    const json = await this.redis.get(this.banKey(id));
    if (json === null) return undefined;
    const ban = JSON.parse(json) as Ban;
    const tx = this.redis.multi().del(this.banKey(id)).zrem(this.key('bans'), id);
    for (const target of this.banTargets(ban)) tx.zrem(target, id);
    await execChecked(tx);
    return ban.until > now ? ban : undefined;
  }

  async listBans(now: number): Promise<Ban[]> {
    await this.redis.zremrangebyscore(this.key('bans'), '-inf', now);
    const ids = await this.redis.zrange(this.key('bans'), 0, -1);
    if (ids.length === 0) return [];
    const bans = (await this.redis.mget(ids.map((id) => this.banKey(id))))
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as Ban)
      .filter((ban) => ban.until > now);
    return bans.sort((a, b) => b.at - a.at);
  }

  async activeBan(userId: string, ipHash: string, now: number): Promise<Ban | undefined> {
    // Two plain reads, not a MULTI, so that they ride in the auto-pipelined write of this tick: every
    // join asks this.
    const replies = await Promise.all([
      this.redis.zrevrange(this.key(`bans:on:id:${userId}`), 0, 0, 'WITHSCORES'),
      this.redis.zrevrange(this.key(`bans:on:ip:${ipHash}`), 0, 0, 'WITHSCORES'),
    ]);
    const longest = replies
      .map(([id, until]) => (id === undefined ? undefined : { id, until: Number(until) }))
      .filter((entry) => entry !== undefined && entry.until > now)
      .sort((a, b) => b!.until - a!.until)[0];
    if (!longest) return undefined;
    const json = await this.redis.get(this.banKey(longest.id));
    return json === null ? undefined : (JSON.parse(json) as Ban);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.key('audit'), 'MAXLEN', this.limits.auditLength, '*', 'entry', JSON.stringify(entry));
  }

  async listAudit(limit: number, cursor?: string): Promise<Page<AuditEntry>> {
    const max = cursor === undefined ? '+' : `(${cursor}`;
    const rows = await this.redis.xrevrange(this.key('audit'), max, '-', 'COUNT', limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditEntry),
      ...(rows.length > limit ? { nextCursor: page[page.length - 1]![0] } : {}),
    };
  }

  /** Reports against one user are few (bounded by the retention), so they are filtered here. */
  private async listReportsOf(query: ReportQuery, max: string): Promise<Page<Report> & { total: number }> {
    const ids = pairs(
      await this.redis.zrevrangebyscore(this.key(`reports:of:${query.reportedId}`), '+inf', '-inf', 'WITHSCORES'),
    );
    const reports = await this.load(ids.map(([id]) => id));
    const matching = ids
      .map(([, score], index) => ({ score, report: reports[index] }))
      .filter((entry): entry is { score: string; report: Report } => entry.report !== undefined)
      .filter(({ report }) => query.status === 'all' || report.status === query.status);
    const before = max === '+inf' ? Infinity : Number(max.slice(1));
    const older = matching.filter(({ score }) => Number(score) < before);
    const page = older.slice(0, query.limit);
    return {
      items: page.map(({ report }) => report),
      ...(older.length > query.limit ? { nextCursor: page[page.length - 1]!.score } : {}),
      total: matching.length,
    };
  }

  private async page(ids: [string, string][], limit: number): Promise<Page<Report>> {
    const shown = ids.slice(0, limit);
    const reports = await this.load(shown.map(([id]) => id));
    return {
      items: reports.filter((report): report is Report => report !== undefined),
      ...(ids.length > limit ? { nextCursor: shown[shown.length - 1]![1] } : {}),
    };
  }

  private async load(ids: string[]): Promise<(Report | undefined)[]> {
    if (ids.length === 0) return [];
    const jsons = await this.redis.mget(ids.map((id) => this.reportKey(id)));
    return jsons.map((json) => (json === null ? undefined : (JSON.parse(json) as Report)));
  }

  /** Drops index entries of reports past their retention (their JSON has expired with them). */
  private async pruneReports(now: number, reportedId?: string): Promise<void> {
    const below = `(${(now - this.limits.reportRetentionMs + 1) * 1000}`;
    const indexes = ['reports:all', 'reports:open', 'reports:dismissed', ...(reportedId ? [`reports:of:${reportedId}`] : [])];
    const tx = this.redis.multi();
    for (const index of indexes) tx.zremrangebyscore(this.key(index), '-inf', below);
    await execChecked(tx);
  }

  private banTargets(ban: Ban): string[] {
    return [
      ...(ban.userId === undefined ? [] : [this.key(`bans:on:id:${ban.userId}`)]),
      ...(ban.ipHash === undefined ? [] : [this.key(`bans:on:ip:${ban.ipHash}`)]),
    ];
  }

  private key(suffix: string): string {
    return `${this.prefix}mod:${suffix}`;
  }

  private reportKey(id: string): string {
    return this.key(`report:${id}`);
  }

  private banKey(id: string): string {
    return this.key(`ban:${id}`);
  }
}

/** ZRANGE ... WITHSCORES as [member, score] pairs. */
function pairs(flat: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) result.push([flat[i]!, flat[i + 1]!]);
  return result;
}
