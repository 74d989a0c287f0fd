// Who may talk to the bot now, per channel, and who did. The allow lists are the effective
// config's; what an empty list and "*" mean is the release's (schemas/nanobot/<release>.json
// allowFrom.empty and .star: up to 0.1.4.post3 an empty list let everyone in and "*" was a
// literal; from 0.1.4.post4 on "*" lets everyone in and an empty list no one, or, from 0.2.0,
// only those approved by pairing, whose approvals are <config dir>/pairing.json).
import { atLeast, type VersionTraits } from '../config/version.js';
import { getIn, isObject } from '../config/model.js';

export interface Allowed {
  /** Everyone may talk to the bot on this channel. */
  everyone: boolean;
  ids: ReadonlySet<string>;
  /** Where the list is, for messages. */
  where: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The allow list of every channel the config has a section for. */
export function allowLists(config: Record<string, unknown>, traits: VersionTraits, pairing: Record<string, unknown> | undefined): Map<string, Allowed> {
  const out = new Map<string, Allowed>();
  const channels = getIn(config, ['channels']);
  if (!isObject(channels)) return out;
  const star = atLeast(traits.version, '0.1.4.post4');
  const approved = isObject(pairing) && isObject(pairing['approved']) ? pairing['approved'] : {};
  for (const [name, section] of Object.entries(channels)) {
    // Keys of `channels` that are settings of the release, not channels (sendProgress, ...).
    if (!isObject(section) || traits.release.channels.settings.includes(name)) continue;
    let ids = strings(section['allowFrom']);
    let where = `channels.${name}.allowFrom`;
    // Slack and Mattermost answer direct messages by dm.policy from 0.2.0 on; the top-level list is ignored.
    if ((name === 'slack' || name === 'mattermost') && atLeast(traits.version, '0.2.0')) {
      const dm = isObject(section['dm']) ? section['dm'] : {};
      where = `channels.${name}.dm`;
      if (dm['policy'] !== 'allowlist') {
        out.set(name, { everyone: true, ids: new Set(), where: `channels.${name}.dm.policy` });
        continue;
      }
      ids = strings(dm['allowFrom']);
    }
    if (name === 'signal') {
      const dm = isObject(section['dm']) ? section['dm'] : {};
      ids = strings(dm['allowFrom']).map((id) => id.replace(/^\+/, ''));
      where = 'channels.signal.dm.allowFrom';
    }
    for (const inst of Array.isArray(section['instances']) ? section['instances'] : [])
      if (isObject(inst)) for (const id of strings(inst['allowFrom'])) ids.push(id);
    const everyone = star ? ids.includes('*') : ids.length === 0;
    const all = new Set(ids.map((id) => (name === 'email' ? id.toLowerCase() : id)));
    for (const id of strings(approved[name])) all.add(id);
    out.set(name, { everyone, ids: all, where });
  }
  return out;
}

/** Whether a sender nanobot logged (or a private chat's id) is on the list. */
export function isAllowed(allowed: Allowed, channel: string, sender: string): boolean {
  if (allowed.everyone) return true;
  const candidates = new Set<string>([sender]);
  // Telegram's sender is "id|username" and either part may be listed (telegram is_allowed).
  for (const part of sender.split('|')) if (part) candidates.add(part);
  if (channel === 'email') candidates.add(sender.toLowerCase());
  // WhatsApp ids are the user part of the JID, without '+'.
  if (channel === 'whatsapp' || channel === 'signal') for (const c of [...candidates]) candidates.add(c.replace(/@.*$/, '').replace(/^\+/, ''));
  for (const c of candidates) if (allowed.ids.has(c)) return true;
  return false;
}

/**
 * The sender of a session's user messages, for the channels whose private chats are named by the
 * sender (channels/*.py _handle_message: telegram chat_id is the user's id in a private chat and
 * negative for groups; email, qq and dingtalk pass the sender as chat_id; whatsapp the sender's
 * JID). Other channels name a room or a channel, which says nothing about who wrote.
 */
export function senderOfChat(channel: string, chatId: string): string | undefined {
  switch (channel) {
    case 'telegram':
      return /^\d+$/.test(chatId) ? chatId : undefined;
    case 'email':
    case 'qq':
    case 'dingtalk':
      return chatId || undefined;
    case 'whatsapp':
      return chatId.endsWith('@g.us') || chatId === '' ? undefined : chatId;
    default:
      return undefined;
  }
}
