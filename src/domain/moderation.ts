/** Reports and bans. Bans apply to an anonymous id and to a salted hash of the IP, never a raw IP. */
export interface ModerationStore {
  /** Records a report and returns how many distinct users reported `reportedId` within the window. */
  recordReport(reportedId: string, reporterId: string, now: number): Promise<number>;
  ban(userId: string, ipHash: string, until: number): Promise<void>;
  /** Milliseconds left on a ban of this id or this IP hash; 0 when neither is banned. */
  banRemaining(userId: string, ipHash: string, now: number): Promise<number>;
}
