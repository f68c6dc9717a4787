/* Proof-of-work bot check for the demo client: fetches an ALTCHA challenge and solves it in the browser. */
(function () {
  'use strict';

  async function sha256Hex(text) {
    const digest = await window.crypto.subtle.digest('SHA-256', new window.TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  /** The number n in 0..maxnumber with sha256(salt + n) === challenge, or null when there is none. */
  async function solve({ challenge, salt, maxnumber }) {
    for (let number = 0; number <= maxnumber; number += 1) {
      if ((await sha256Hex(salt + number)) === challenge) return number;
    }
    return null;
  }

  /**
   * Resolves with the standard ALTCHA payload, base64(JSON) of {algorithm, challenge, number, salt,
   * signature}, to send as `auth.botProof`.
   */
  async function botProof() {
    if (!window.crypto || !window.crypto.subtle) throw new Error('The bot check needs HTTPS (or localhost).');
    const response = await window.fetch('/bot-check/challenge', { cache: 'no-store' });
    if (!response.ok) throw new Error('Could not load the bot check (HTTP ' + response.status + ').');
    const challenge = await response.json();
    if (challenge.algorithm !== 'SHA-256') throw new Error('Unsupported bot check algorithm ' + challenge.algorithm);
    const number = await solve(challenge);
    if (number === null) throw new Error('The bot check could not be solved.');
    const { algorithm, salt, signature } = challenge;
    return window.btoa(JSON.stringify({ algorithm, challenge: challenge.challenge, number, salt, signature }));
  }

  window.RandomChatBotCheck = { botProof, solve };
})();
