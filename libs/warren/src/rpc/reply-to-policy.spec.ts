import { replyToPolicy } from './reply-to-policy';

describe('replyToPolicy', () => {
  it('answers direct reply-to and server-named queues by default, nothing else', () => {
    const allowed = replyToPolicy();
    expect(allowed('amq.rabbitmq.reply-to')).toBe(true);
    expect(allowed('amq.rabbitmq.reply-to.g1h2AA5yZXBseUAy.+Tw/x==')).toBe(true);
    expect(allowed('amq.gen-JzTY20BRgKO-HjmUJj0wLg')).toBe(true);
    for (const name of ['orders', 'amq.rabbitmq.reply-tox', 'amq.genx', 'x.amq.gen-1', '']) expect([name, allowed(name)]).toEqual([name, false]);
  });

  it('adds exact names and RegExps', () => {
    const allowed = replyToPolicy(['replies', /^tutorial\.replies\.[a-z]+$/]);
    expect(allowed('replies')).toBe(true);
    expect(allowed('replies2')).toBe(false);
    expect(allowed('tutorial.replies.abc')).toBe(true);
    expect(allowed('tutorial.replies.ABC')).toBe(false);
  });
});
