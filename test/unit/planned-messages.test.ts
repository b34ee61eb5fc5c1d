import { plannedMessages, plannedPlaceholders } from '../../src/pushes/planned-messages';
import { pushContentSchema } from '../../src/pushes/push-content';

describe('the messages a plan shows', () => {
  const content = pushContentSchema.parse({
    message: { type: 'text', text: '{{name|亲}}，新品到了 https://shop.example.com/new' },
    template: {
      templateId: 'tpl-1',
      url: 'https://shop.example.com/order',
      data: { first: { value: '{{name|会员}}您好' }, keyword1: { value: '冬季新品' } },
    },
  });

  it('fills a personal message for the person it reaches, the mass text with fallbacks, and a template’s fields', () => {
    const messages = plannedMessages(
      content,
      { customer_service: 1, mass: 5, template: 2 },
      {
        customer_service: { profileId: 7, attributes: { name: '林娟霞' } },
        template: { profileId: 9, attributes: {} },
      },
    );
    expect(messages).toEqual([
      {
        channel: 'customer_service',
        kind: 'text',
        text: '林娟霞，新品到了 https://shop.example.com/new',
        length: 37,
        links: ['https://shop.example.com/new'],
        tracked: false,
        sampleProfileId: 7,
      },
      {
        channel: 'mass',
        kind: 'text',
        text: '亲，新品到了 https://shop.example.com/new',
        length: 35,
        links: ['https://shop.example.com/new'],
        tracked: false,
        sampleProfileId: null,
      },
      {
        channel: 'template',
        kind: 'template',
        fields: { first: '会员您好', keyword1: '冬季新品' },
        length: 8,
        links: ['https://shop.example.com/order'],
        tracked: false,
        sampleProfileId: 9,
      },
    ]);
  });

  it('leaves out channels that reach nobody, and shows media by kind', () => {
    const image = pushContentSchema.parse({ message: { type: 'image', mediaId: 'm-1' } });
    expect(plannedMessages(image, { customer_service: 0, mass: 3, template: 0 }, {})).toEqual([
      { channel: 'mass', kind: 'image', length: 0, links: [], tracked: false, sampleProfileId: null },
    ]);
  });

  it('names each placeholder once, with its first fallback and how many hold it', () => {
    expect(plannedPlaceholders(content, { name: 4 })).toEqual([{ name: 'name', fallback: '亲', holders: 4 }]);
  });
});
