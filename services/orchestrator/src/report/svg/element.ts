// Minimal SVG building: escaped text and attributes, numbers rounded so files stay small and
// byte-stable across platforms.

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Two decimals are sub-pixel at any size we draw. */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export type Attributes = Record<string, string | number | undefined>;

export function el(name: string, attributes: Attributes, children: string | string[] = ''): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : esc(v as string)}"`)
    .join('');
  const body = Array.isArray(children) ? children.join('') : children;
  return body === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${body}</${name}>`;
}

export function text(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return el('text', { x, y, ...attributes }, esc(content));
}

/** A complete standalone SVG document with a title (accessible name) and a white background. */
export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      role: 'img',
      'font-family': 'Helvetica, Arial, sans-serif',
      'font-size': 12,
    },
    [el('title', {}, esc(title)), el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }), ...body],
  );
}
