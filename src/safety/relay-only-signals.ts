import type { Counter } from 'prom-client';
import type { SessionDescription } from '../contract/events';
import { relayOnlyCandidate, withRelayCandidatesOnly } from './ice-policy';

export interface RelayOnlySignals {
  /** The candidate the partner may see, or undefined when it is dropped (counted). */
  candidate<C extends { candidate: string }>(candidate: C): C | undefined;
  /** The offer or answer without non-relay candidate lines (counted). */
  description<D extends SessionDescription>(description: D): D;
}

export function createRelayOnlySignals(candidatesDropped: Counter): RelayOnlySignals {
  return {
    candidate(candidate) {
      const relayed = relayOnlyCandidate(candidate.candidate);
      if (relayed === undefined) {
        candidatesDropped.inc({ where: 'ice_candidate' });
        return undefined;
      }
      return { ...candidate, candidate: relayed };
    },
    description(description) {
      const { sdp, removed } = withRelayCandidatesOnly(description.sdp);
      if (removed > 0) candidatesDropped.inc({ where: 'sdp' }, removed);
      return { ...description, sdp };
    },
  };
}
