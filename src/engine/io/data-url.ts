// data: URLs carry a picked or dropped file inside the document; decoded here rather than
// through fetch so every host reads them the same way, without a network stack.

export function isDataUrl(url: string): boolean {
  return /^data:/i.test(url);
}

/** The bytes in a data: URL (base64 or percent-encoded). */
export function decodeDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  if (!isDataUrl(url) || comma < 0) throw new Error('not a data: URL (expected data:[<type>][;base64],<data>)');
  const header = url.slice(5, comma);
  const body = url.slice(comma + 1);
  if (/;base64$/i.test(header)) {
    const clean = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(clean)) throw new Error('the data: URL is not valid base64');
    const binary = atob(clean.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }
  return new TextEncoder().encode(decodeURIComponent(body));
}
