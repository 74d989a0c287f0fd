// Account IDs in the form each channel compares them (nanobot-config.md, section 5). Used by
// --allow-from and by the wizard, so that a fix never writes an entry that can never match.
import { table } from '../config/own.js';

export type IdCheck = { ok: true; id: string; note?: string } | { ok: false; reason: string };

export interface ChannelIdFormat {
  /** What to write, in a few words. */
  describe: string;
  /** Where the owner finds it. */
  where: string;
  check(raw: string): IdCheck;
}

const plain = (describe: string, where: string, pattern?: RegExp): ChannelIdFormat => ({
  describe,
  where,
  check: (raw) => (pattern && !pattern.test(raw) ? { ok: false, reason: `expected ${describe}` } : { ok: true, id: raw }),
});

/** By channel name, as the owner types it (so without a prototype: "constructor" is just unknown). */
export const ID_FORMATS: Readonly<Record<string, ChannelIdFormat>> = table<ChannelIdFormat>({
  telegram: {
    describe: 'a numeric Telegram user ID (a username works too, but can change hands)',
    where: 'message @userinfobot on Telegram; it replies with your numeric ID',
    check(raw) {
      if (/^\d+$/.test(raw)) return { ok: true, id: raw };
      const name = raw.replace(/^@/, '');
      if (/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(name)) {
        return {
          ok: true,
          id: name,
          note: `${raw} is a username: it can be changed or taken over by someone else; a numeric ID cannot${raw.startsWith('@') ? ' (the @ was dropped: nanobot compares usernames without it)' : ''}`,
        };
      }
      return { ok: false, reason: 'expected a numeric Telegram user ID, or a username of 5 to 32 letters, digits and underscores' };
    },
  },
  whatsapp: {
    describe: 'a phone number with country code and no "+"',
    where: 'your number in international form, digits only: 4915112345678',
    check(raw) {
      if (raw.includes('@')) return { ok: true, id: raw }; // a group JID or LID, compared as written
      const digits = raw.replace(/[\s().-]/g, '');
      if (/^\+?\d{7,15}$/.test(digits)) {
        const id = digits.replace(/^\+/, '');
        return id !== raw ? { ok: true, id, note: `${raw} was written as ${id}: nanobot compares WhatsApp numbers as digits without "+"` } : { ok: true, id };
      }
      return { ok: false, reason: 'expected a phone number with country code, digits only' };
    },
  },
  discord: plain(
    'a numeric Discord user ID (a snowflake)',
    'Discord settings > Advanced > Developer Mode, then right-click your name > Copy User ID',
    /^\d{15,21}$/,
  ),
  email: {
    describe: 'an e-mail address',
    where: 'the address you send mail to the bot from',
    check(raw) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw)) return { ok: false, reason: 'expected an e-mail address' };
      const id = raw.toLowerCase();
      return id !== raw ? { ok: true, id, note: `${raw} was lower-cased: nanobot lower-cases the sender before comparing` } : { ok: true, id };
    },
  },
  slack: plain('a Slack member ID (U… or W…)', 'your Slack profile > ⋮ > Copy member ID', /^[UW][A-Z0-9]{6,}$/),
  mattermost: plain('a Mattermost user ID', 'Profile > Security, or the API (/api/v4/users/me)', /^\S+$/),
  matrix: plain('a Matrix user ID (@name:server)', 'your full Matrix ID, as shown in your client', /^@[^:\s]+:\S+$/),
  feishu: plain('a Feishu open_id (ou_…)', 'the open_id the Feishu event gives for your account', /^ou_\S+$/),
  signal: {
    describe: 'a phone number or a Signal UUID',
    where: 'your Signal number with country code',
    check: (raw) =>
      /^\+?\d{7,15}$/.test(raw) || /^[0-9a-f-]{36}$/i.test(raw) ? { ok: true, id: raw } : { ok: false, reason: 'expected a phone number or a Signal UUID' },
  },
});

const GENERIC = plain('the sender ID the channel reports', "the channel's own user ID for your account", /^\S+$/);

export function idFormat(channel: string): ChannelIdFormat {
  return ID_FORMATS[channel] ?? GENERIC;
}

/** Check one entry; "*" is never accepted, since replacing it is the point. */
export function checkId(channel: string, raw: string): IdCheck {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, reason: 'an empty entry' };
  if (trimmed === '*') return { ok: false, reason: '"*" lets everyone in; list the accounts instead' };
  return idFormat(channel).check(trimmed);
}

/** Group and channel IDs for groupAllowFrom. */
export function checkGroupId(channel: string, raw: string): IdCheck {
  const trimmed = raw.trim();
  if (channel === 'slack' && !/^[CG][A-Z0-9]{6,}$/.test(trimmed)) return { ok: false, reason: 'expected a Slack channel ID (C… or G…)' };
  if (trimmed === '' || trimmed === '*') return { ok: false, reason: 'expected a channel ID' };
  return { ok: true, id: trimmed };
}
