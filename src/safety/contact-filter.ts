/** Why a message was taken for contact details: the ways strangers are lured off the platform. */
export const CONTACT_REASONS = ['url', 'email', 'phone', 'handle'] as const;
export type ContactReason = (typeof CONTACT_REASONS)[number];

// Checked in this order, so "bob@example.com" is an e-mail and not a handle plus a link.
const PATTERNS: ReadonlyArray<readonly [ContactReason, RegExp]> = [
  ['email', /[\p{L}\p{N}._%+-]+\s*(?:@|\(at\)|\[at\])\s*[\p{L}\p{N}-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\p{L}\p{N}-]+)+/iu],
  [
    'url',
    /\b(?:https?:\/\/|www\.)\S+|\b[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:com|net|org|io|me|co|gg|ly|app|link|to|tv|xyz|info|biz|ru|de|uk)\b(?:\/\S*)?/iu,
  ],
  // Seven or more digits, optionally grouped by spaces, dots, dashes or brackets, with a leading +.
  ['phone', /(?:\+|\b)\d(?:[\s.\-()]*\d){6,}/u],
  // "@name", or "snap: name" / "insta - name" / "discord name#1234" style handles.
  [
    'handle',
    /(?:^|[^\p{L}\p{N}])@[\p{L}\p{N}_.]{2,}|\b(?:snap(?:chat)?|sc|insta(?:gram)?|ig|kik|telegram|tg|whats ?app|wa|discord|tiktok|skype|line|wechat|signal)\s*(?:[:=-]|is|id|me)\s*@?[\p{L}\p{N}_.#]{2,}/iu,
  ],
];

/** The first kind of contact detail found in `text`, or undefined when there is none. */
export function findContact(text: string): ContactReason | undefined {
  for (const [reason, pattern] of PATTERNS) if (pattern.test(text)) return reason;
  return undefined;
}
