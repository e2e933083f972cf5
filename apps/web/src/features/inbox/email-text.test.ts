import { describe, expect, it } from 'vitest';
import { decodeEntities, senderName } from './email-text.ts';

describe('email text', () => {
  it('decodes the entities Gmail puts in snippets', () => {
    expect(decodeEntities('I&#39;ll bring the &quot;good&quot; coffee &amp; cake &lt;3 &#x263A;')).toBe(
      'I\'ll bring the "good" coffee & cake <3 \u263a',
    );
    expect(decodeEntities('&bogus; &#0;')).toBe('&bogus; &#0;');
  });

  it('shows the display name of a sender', () => {
    expect(senderName('Emma Schmidt <emma@example.com>')).toBe('Emma Schmidt');
    expect(senderName('"Doe, Jane" <jane@example.com>')).toBe('Doe, Jane');
    expect(senderName('<x@example.com>')).toBe('<x@example.com>');
    expect(senderName('x@example.com')).toBe('x@example.com');
    expect(senderName(null)).toBe('(no sender)');
  });
});
