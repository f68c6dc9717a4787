import { botPassKey, isValidBotPass, issueBotPass } from '../../../src/safety/bot-pass';

const key = botPassKey('secret');
const NOW = 1_700_000_000_000;

describe('bot pass', () => {
  test('valid for its address until it expires', () => {
    const pass = issueBotPass(key, 'ip-hash-a', NOW, 60);
    expect(isValidBotPass(key, pass, 'ip-hash-a', NOW)).toBe(true);
    expect(isValidBotPass(key, pass, 'ip-hash-a', NOW + 59_999)).toBe(true);
    expect(isValidBotPass(key, pass, 'ip-hash-a', NOW + 60_000)).toBe(false);
  });

  test('bound to the IP hash and the key', () => {
    const pass = issueBotPass(key, 'ip-hash-a', NOW, 60);
    expect(isValidBotPass(key, pass, 'ip-hash-b', NOW)).toBe(false);
    expect(isValidBotPass(botPassKey('other'), pass, 'ip-hash-a', NOW)).toBe(false);
  });

  test('a changed expiry or garbage is refused', () => {
    const pass = issueBotPass(key, 'ip-hash-a', NOW, 60);
    const [expiry, sig] = pass.split('.');
    expect(isValidBotPass(key, `${Number(expiry) + 3600}.${sig}`, 'ip-hash-a', NOW)).toBe(false);
    for (const junk of ['', 'x', `${expiry}.`, `${expiry}.${sig}x`, `-1.${sig}`])
      expect(isValidBotPass(key, junk, 'ip-hash-a', NOW)).toBe(false);
  });
});
