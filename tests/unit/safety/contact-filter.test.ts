import { findContact } from '../../../src/safety/contact-filter';

describe('contact filter', () => {
  test.each([
    ['see https://example.org/page', 'url'],
    ['go to www.example.org', 'url'],
    ['my site is mysite.com/profile', 'url'],
    ['mail me at bob.smith@example.com', 'email'],
    ['bob (at) example (dot) com', 'email'],
    ['call +44 20 7946 0958', 'phone'],
    ['text me 555-123-4567', 'phone'],
    ['my number is (555) 123 4567', 'phone'],
    ['add me @cool_kid99', 'handle'],
    ['snap: coolkid', 'handle'],
    ['insta - coolkid', 'handle'],
    ['my discord is coolkid#1234', 'handle'],
  ])('%j is refused as %s', (text, reason) => {
    expect(findContact(text)).toBe(reason);
  });

  test.each([
    'hello there, how are you?',
    'I am 23 and live in Berlin',
    'it was 3.5 out of 10',
    'meet at 10:30? no, just kidding',
    'I scored 12345 points',
    'email is a terrible invention',
    'snap decisions are bad',
    'this costs $20.99',
  ])('%j passes', (text) => {
    expect(findContact(text)).toBeUndefined();
  });
});
