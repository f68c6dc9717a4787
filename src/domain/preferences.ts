import type { WaitingUser } from './types';

/** The index keys a user prefers to be matched on: each interest, else their language. */
export function preferenceKeys(user: Pick<WaitingUser, 'interests' | 'language'>): string[] {
  if (user.interests.length > 0) return user.interests.map((interest) => `i:${interest}`);
  return user.language ? [`l:${user.language}`] : [];
}

export function languagesCompatible(a: WaitingUser, b: WaitingUser): boolean {
  return !a.language || !b.language || a.language === b.language;
}

export function commonInterests(a: WaitingUser, b: WaitingUser): string[] {
  if (a.interests.length === 0 || b.interests.length === 0) return [];
  const theirs = new Set(b.interests);
  return a.interests.filter((interest) => theirs.has(interest));
}

/** True once the user's preference window is over (or they never had one). */
export function hasWaitedOut(user: WaitingUser, now: number, interestTimeoutMs: number): boolean {
  return now >= user.enqueuedAt + interestTimeoutMs;
}
