// Who may talk to the bot now, by each release's meaning of an empty list and "*".
import { describe, expect, it } from 'vitest';
import { allowLists, isAllowed, senderOfChat } from '../../../src/activity/senders.js';
import { parseVersion, traitsFor } from '../../../src/config/version.js';

const t = (v: string) => traitsFor(parseVersion(v)!, 'flag');
const ch = (channels: Record<string, unknown>) => ({ channels });

describe('allow lists', () => {
  it('"*" lets everyone in from 0.1.4.post4; before it an empty list did, and "*" was a literal', () => {
    expect(allowLists(ch({ telegram: { allowFrom: ['*'] } }), t('0.3.0'), undefined).get('telegram')!.everyone).toBe(true);
    expect(allowLists(ch({ telegram: { allowFrom: ['*'] } }), t('0.1.4'), undefined).get('telegram')!.everyone).toBe(false);
    expect(allowLists(ch({ telegram: { allowFrom: [] } }), t('0.1.4'), undefined).get('telegram')!.everyone).toBe(true);
    expect(allowLists(ch({ telegram: { allowFrom: [] } }), t('0.2.0'), undefined).get('telegram')!.everyone).toBe(false);
  });

  it('Telegram matches the id or the username; e-mail ignores case; WhatsApp the JID user part; pairing approvals count', () => {
    const lists = allowLists(
      ch({
        telegram: { allowFrom: ['alice'] },
        email: { allowFrom: ['Owner@Example.com'] },
        whatsapp: { allowFrom: ['4915112345678'] },
        discord: { allowFrom: ['1'] },
      }),
      t('0.3.0'),
      { approved: { discord: ['777'] } },
    );
    expect(isAllowed(lists.get('telegram')!, 'telegram', '999|alice')).toBe(true);
    expect(isAllowed(lists.get('telegram')!, 'telegram', '999|mallory')).toBe(false);
    expect(isAllowed(lists.get('email')!, 'email', 'owner@example.com')).toBe(true);
    expect(isAllowed(lists.get('whatsapp')!, 'whatsapp', '4915112345678@s.whatsapp.net')).toBe(true);
    expect(isAllowed(lists.get('discord')!, 'discord', '777')).toBe(true);
    expect(isAllowed(lists.get('discord')!, 'discord', '778')).toBe(false);
  });

  it('Slack and Mattermost answer direct messages by dm.policy from 0.2.0 on', () => {
    expect(allowLists(ch({ slack: { allowFrom: ['U1'] } }), t('0.3.0'), undefined).get('slack')!.everyone).toBe(true);
    const strict = allowLists(ch({ slack: { allowFrom: ['U1'], dm: { policy: 'allowlist', allowFrom: ['U2'] } } }), t('0.3.0'), undefined).get('slack')!;
    expect([strict.everyone, isAllowed(strict, 'slack', 'U2'), isAllowed(strict, 'slack', 'U1')]).toEqual([false, true, false]);
  });

  it('a private chat names its sender on Telegram (positive ids), e-mail, QQ, DingTalk and WhatsApp (not groups)', () => {
    expect(senderOfChat('telegram', '123')).toBe('123');
    expect(senderOfChat('telegram', '-100123')).toBeUndefined();
    expect(senderOfChat('whatsapp', '123@g.us')).toBeUndefined();
    expect(senderOfChat('discord', '123')).toBeUndefined();
  });
});
