/**
 * ICE_RELAY_ONLY: what a partner may learn of a peer's network is the TURN server's relay address.
 * Pure text checks over the candidate grammar of RFC 8839 (`candidate:... typ <type> ...`).
 */

/** True for a relay candidate, and for the empty end-of-candidates marker, which carries no address. */
export function isRelayCandidate(candidate: string): boolean {
  const fields = candidate.trim().split(/\s+/);
  if (fields.length === 1 && fields[0] === '') return true;
  const typ = fields.indexOf('typ');
  return typ !== -1 && fields[typ + 1] === 'relay';
}

/**
 * The candidate as the partner may see it: undefined unless relay, and its related address (the
 * peer's own public address, behind `raddr`/`rport`) blanked, since that is informational only.
 */
export function relayOnlyCandidate(candidate: string): string | undefined {
  if (!isRelayCandidate(candidate)) return undefined;
  return candidate.replace(/(\sraddr\s)\S+/, '$10.0.0.0').replace(/(\srport\s)\S+/, '$10');
}

const CANDIDATE_LINE = /^a=candidate:/;
/** The default-candidate addresses an SDP repeats outside its candidate lines. */
const CONNECTION_LINE = /^(c=IN IP[46] )\S+/;
const RTCP_LINE = /^(a=rtcp:\d+ IN IP[46] )\S+/;

export interface FilteredSdp {
  sdp: string;
  /** Candidate lines taken out. */
  removed: number;
}

/**
 * Removes every non-relay `a=candidate` line, blanks the related address of the rest, and blanks the default address in `c=` and `a=rtcp`
 * lines (to the unspecified address, as a trickling offer has it) since it may be a host address.
 */
export function withRelayCandidatesOnly(sdp: string): FilteredSdp {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  let removed = 0;
  const kept: string[] = [];
  for (const line of sdp.split(eol)) {
    if (CANDIDATE_LINE.test(line)) {
      const candidate = relayOnlyCandidate(line.slice('a='.length));
      if (candidate === undefined) removed += 1;
      else kept.push(`a=${candidate}`);
      continue;
    }
    kept.push(
      line
        .replace(CONNECTION_LINE, (_all, head: string) => head + unspecified(head))
        .replace(RTCP_LINE, (_all, head: string) => head + unspecified(head)),
    );
  }
  return { sdp: kept.join(eol), removed };
}

function unspecified(head: string): string {
  return head.includes('IP6') ? '::' : '0.0.0.0';
}
