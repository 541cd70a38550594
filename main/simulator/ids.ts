/** The last path segment of a resource URL: the id of ".../instruments/<id>/". */
export function idFromUrl(url: string): string | null {
  try {
    const segments = new URL(url, 'http://x.invalid').pathname.split('/').filter((s) => s !== '');
    return segments.at(-1) ?? null;
  } catch {
    return null;
  }
}
