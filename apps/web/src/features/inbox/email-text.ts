/**
 * Gmail's `snippet` is HTML-escaped text ("I&#39;ll bring the &quot;good&quot; coffee"): decode the entities
 * for display. A fixed table plus numeric references, so no markup is ever parsed.
 */
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity[0] === '#') {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return NAMED[entity.toLowerCase()] ?? match;
  });
}

/** `"Emma Schmidt" <emma@example.com>` → `Emma Schmidt`; a bare address stays as it is. */
export function senderName(from: string | null): string {
  if (!from) return '(no sender)';
  const match = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(from);
  return match?.[1] ? match[1] : from;
}
